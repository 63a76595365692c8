"""Outbound HTTP to addresses customers supply: the SSRF policy and the client that enforces it."""
