"""Data layer: engines from settings, core tables, units of work, migrations."""
