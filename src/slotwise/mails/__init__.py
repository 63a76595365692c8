"""Mails to invitees and hosts, composed from plain data (no I/O)."""
