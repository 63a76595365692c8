"""The company-wide change feed: every create, update and delete, for pollers."""
