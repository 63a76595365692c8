"""Pages for invitees: the booking page behind every booking URL, the manage page, the 404."""
