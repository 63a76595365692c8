"""The audit log: who changed what through the API, and when."""
