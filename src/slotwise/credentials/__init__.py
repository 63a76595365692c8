"""Platform API keys and personal access tokens."""
