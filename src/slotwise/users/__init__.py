"""Users: provisioning, listing, profile, deletion."""
