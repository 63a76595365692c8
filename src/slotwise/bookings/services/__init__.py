"""Booking use cases, one module each; every service takes the session and never commits."""
