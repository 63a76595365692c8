"""PostgreSQL access: the session per request, tenant scoping, the few cross-tenant queries."""
