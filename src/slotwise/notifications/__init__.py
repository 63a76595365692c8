"""Mail notifications: the outbox rows a booking change writes, their queue, SMTP sending."""
