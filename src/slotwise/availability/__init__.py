"""Availability schedules, exceptions and public holidays."""
