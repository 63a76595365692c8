"""Who is calling: bearer tokens, argon2 verification, the principal and each route's rules."""
