"""Private calendar feeds: a secret iCalendar URL of a user's bookings for calendar apps."""
