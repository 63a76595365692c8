"""Connected calendars: busy time in from CalDAV servers and ICS feeds, bookings out."""
