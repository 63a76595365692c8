"""Meeting type tests."""
