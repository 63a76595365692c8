"""Helpers shared by the tests: factories, route table, server processes, receivers."""
