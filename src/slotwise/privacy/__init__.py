"""Data rights: a user's export and an attendee's erasure."""
