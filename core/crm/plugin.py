"""The client file as a built-in plugin: companies, persons, timeline, custom fields, consents,
GDPR export and erasure, merging, delta sync, search and the demo organisation."""

from __future__ import annotations

from typing import Any

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import LoaderSpec, Permission, Plugin, PluginInfo, Surface, TypeExtension


class CrmPlugin(Plugin):
    info = PluginInfo(description="The client file: companies, persons, their timeline and custom fields.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.company.read", "See companies (within the role's record scope)."),
            Permission("core.company.write", "Create and change companies."),
            Permission("core.company.delete", "Remove companies."),
            Permission("core.person.read", "See persons (within the role's record scope)."),
            Permission("core.person.write", "Create and change persons."),
            Permission("core.person.delete", "Remove persons."),
            Permission("core.timeline.write", "Log calls, meetings and notes on client timelines."),
            Permission("core.custom_field.manage", "Define, rename and archive custom fields."),
            Permission(
                "core.personal_data.read", "See sensitive personal data: birthdays and custom fields marked sensitive."
            ),
            Permission("core.consent.manage", "Record consents given and withdrawn."),
            Permission("core.person.export", "Export everything held about a person (GDPR)."),
            Permission("core.person.erase", "Anonymise a person everywhere (GDPR)."),
        ]

    @hookimpl
    def kartoteka_custom_field_entities(self) -> list:
        from core.crm.custom_fields import CORE_ENTITIES

        return CORE_ENTITIES

    @hookimpl
    def kartoteka_timeline_kinds(self) -> list:
        from core.crm.timeline import CORE_KINDS

        return CORE_KINDS

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.crm.events import EVENT_TYPES
        from core.crm.timeline import TimelineEntryAdded

        return [*EVENT_TYPES, TimelineEntryAdded]

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.crm.search import SUBSCRIBER as SEARCH_INDEX

        return [SEARCH_INDEX]

    @hookimpl
    async def kartoteka_demo_data(self, runtime: Any, scale: int, progress: Any) -> str:
        from core.crm.demo import load_demo

        return await load_demo(runtime, scale, progress)

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.crm.graphql import loaders
        from core.crm.graphql.custom_fields.loaders import load_definitions
        from core.crm.graphql.gdpr.loaders import load_consents
        from core.crm.graphql.timeline.loaders import load_last_activity

        return [
            LoaderSpec(name="core.user", batch=loaders.load_users),
            LoaderSpec(name="core.company", batch=loaders.load_companies),
            LoaderSpec(name="core.person", batch=loaders.load_persons),
            LoaderSpec(name="core.contact_points", batch=loaders.load_contact_points),
            LoaderSpec(name="core.addresses", batch=loaders.load_addresses),
            LoaderSpec(name="core.tags", batch=loaders.load_tags),
            LoaderSpec(name="core.employments_by_person", batch=loaders.load_employments_by_person),
            LoaderSpec(name="core.last_activity", batch=load_last_activity),
            LoaderSpec(name="core.custom_field_definitions", batch=load_definitions),
            LoaderSpec(name="core.consents", batch=load_consents),
        ]

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface: Surface) -> list[TypeExtension]:
        from core.crm.graphql.custom_fields.types import CustomFieldAccess
        from core.crm.graphql.gdpr.types import ConsentFields
        from core.crm.graphql.timeline.types import TimelineFields

        if surface != "staff":
            return []
        return [
            TypeExtension(target="Company", fields=TimelineFields),
            TypeExtension(target="Person", fields=TimelineFields),
            TypeExtension(target="Company", fields=CustomFieldAccess),
            TypeExtension(target="Person", fields=CustomFieldAccess),
            TypeExtension(target="Person", fields=ConsentFields),
        ]

    @hookimpl
    def kartoteka_graphql_types(self, surface: Surface) -> list[type]:
        from core.crm.graphql.custom_fields.types import VALUE_TYPES
        from core.crm.graphql.types import Company, Person

        return [Company, Person, *VALUE_TYPES] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.crm.graphql.custom_fields.queries import CustomFieldQuery
        from core.crm.graphql.queries import CrmQuery
        from core.crm.graphql.sync.queries import SyncQuery
        from core.crm.graphql.timeline.queries import TimelineQuery

        return [CrmQuery, TimelineQuery, CustomFieldQuery, SyncQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.crm.graphql.custom_fields.mutations import CustomFieldMutation
        from core.crm.graphql.gdpr.mutations import GdprMutation
        from core.crm.graphql.mutations import CrmMutation, MergeMutation
        from core.crm.graphql.timeline.mutations import TimelineMutation

        if surface != "staff":
            return []
        return [CrmMutation, MergeMutation, TimelineMutation, CustomFieldMutation, GdprMutation]
