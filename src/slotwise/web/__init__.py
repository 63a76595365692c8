"""The request pipeline around the handlers: errors, request ids, bodies, idempotency, docs."""
