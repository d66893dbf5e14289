"""Composed extensible types of the portal surface (filled at schema build)."""
