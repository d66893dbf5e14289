"""CSV import of companies and persons (GraphQL and `kartoteka import`), as a built-in plugin.

Its own plugin rather than part of the client file's: its mutation follows the attachments'
in the committed schema, and the schema lists root fields in registration order."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import Plugin, PluginInfo, Surface


class ImportsPlugin(Plugin):
    info = PluginInfo(description="CSV import of companies and persons, with a dry run.")

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.imports.graphql.mutations import ImportMutation

        return [ImportMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_cli_commands(self) -> list:
        from core.imports.cli import import_

        return [import_]
