"""Namespaces the composer fills with the final classes of extensible types, one per surface.

Fields that return an extensible type refer to it lazily (``core.api.extensible("Viewer",
surface)``), and Strawberry resolves the name in the surface's module below.
"""
