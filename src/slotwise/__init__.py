"""slotwise: a multi-tenant scheduling platform API, wire-compatible with meetergo's API v4."""

__version__ = "0.1.0"
