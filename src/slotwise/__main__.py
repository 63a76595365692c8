"""`python -m slotwise` runs the command line."""

from slotwise.cli import main

raise SystemExit(main())
