"""One-time booking links: secret URLs that book a meeting type once, then stop working."""
