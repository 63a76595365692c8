"""/api/v1: the Meetario sheet's dialect, a thin surface over the same services as /v4."""
