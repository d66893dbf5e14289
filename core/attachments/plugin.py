"""Files attached to companies and persons, as a built-in plugin."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import Plugin, PluginInfo, Surface


class AttachmentsPlugin(Plugin):
    info = PluginInfo(description="Files attached to companies and persons: upload, download, follow.")

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.attachments.services import AttachmentChanged

        return [AttachmentChanged]

    @hookimpl
    def kartoteka_http_routes(self) -> list:
        from core.attachments.graphql.routes import download, upload

        return [upload, download]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.attachments.graphql.queries import AttachmentQuery

        return [AttachmentQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.attachments.graphql.mutations import AttachmentMutation

        return [AttachmentMutation] if surface == "staff" else []
