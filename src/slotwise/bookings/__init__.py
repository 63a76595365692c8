"""Bookings and appointments: create, read, cancel, reschedule, host confirmation."""
