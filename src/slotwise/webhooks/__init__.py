"""Webhooks: subscriptions, the transactional outbox and delivery."""
