"""Request limits: the GCRA limiter, per-company policies, the middleware, failed-login gates."""
