"""OAuth 2.0 authorization server: third-party apps act for a user with the scopes it granted."""
