"""Composed extensible types of the staff surface (filled at schema build)."""
