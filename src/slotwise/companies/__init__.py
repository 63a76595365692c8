"""Companies: the tenants."""
