"""Public, unauthenticated booking pages behind booking URLs."""
