"""Kartoteka core: plugin host, data layer, event bus, jobs and GraphQL composition."""

__version__ = "0.1.0"
