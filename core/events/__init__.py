"""Typed events, the unit of work that publishes them, and the outbox relay."""
