from datetime import timedelta

import click
import msgspec
from litestar import get

from core.api import (
    SYSTEM,
    Actor,
    CustomFieldEntity,
    JobSpec,
    LoaderSpec,
    Permission,
    Plugin,
    PluginInfo,
    RetryPolicy,
    RoleTemplate,
    ScheduleSpec,
    Subscriber,
    TemplateVariable,
    TimelineKind,
    TypeExtension,
    hookimpl,
)
from kartoteka_sample import services
from kartoteka_sample.events import NoteCreated

TEST_ACTOR_HEADER = "x-sample-actor"


class SampleConfig(msgspec.Struct, forbid_unknown_fields=True):
    greeting: str = "hello"
    slow_seconds: float = 0.0
    marker_dir: str = ""
    tick_seconds: float = 0.0  # 0 = no schedule
    trust_test_header: bool = False  # tests only: take the actor from a request header


class SamplePlugin(Plugin):
    info = PluginInfo(description="Sample plugin proving the plugin mechanisms", label="Sample")
    Config = SampleConfig

    def __init__(self, name, config):
        super().__init__(name, config)
        self.events: list[str] = []

    @hookimpl
    def kartoteka_addhooks(self, plugin_manager):
        from kartoteka_sample import hookspecs

        plugin_manager.add_hookspecs(hookspecs)

    @hookimpl
    def kartoteka_startup(self, plugin_runtime):
        self.events.append(f"startup:{plugin_runtime.role}")

    @hookimpl
    async def kartoteka_shutdown(self, plugin_runtime):
        self.events.append(f"shutdown:{plugin_runtime.role}")

    @hookimpl
    def kartoteka_piccolo_apps(self):
        return ["kartoteka_sample.piccolo_app"]

    @hookimpl
    async def kartoteka_demo_data(self, plugin_runtime, progress):
        async with plugin_runtime.unit_of_work(SYSTEM) as uow:
            await services.create_note(uow, "Demo note")

    @hookimpl
    def kartoteka_custom_field_entities(self):
        return [CustomFieldEntity(services.NOTE_ENTITY, "Sample note", "Notatka przykładowa", "sample.note.read")]

    @hookimpl
    def kartoteka_permissions(self):
        return [
            Permission("sample.note.read", "See sample notes."),
            Permission("sample.note.write", "Create sample notes."),
        ]

    @hookimpl
    def kartoteka_role_templates(self):
        return [RoleTemplate("sample_editor", "Writes sample notes.", ("sample.note.read", "sample.note.write"), "own")]

    @hookimpl(optionalhook=True)
    def marketing_person_facts(self):
        from piccolo.querystring import QueryString

        from plugins.marketing.contracts import PersonFact

        def named(params, sqlite):
            return QueryString("SELECT id FROM core_person WHERE last_name = {}", params["last_name"])

        return [PersonFact("sample.named", "Has this last name", "Ma to nazwisko", named, {"last_name": "text"})]

    @hookimpl
    def kartoteka_template_variables(self):
        async def tiers(person_ids):
            return {person_id: {"tier": "gold" if person_id % 2 else "silver"} for person_id in person_ids}

        return [TemplateVariable("sample", {"tier": "gold"}, tiers)]

    @hookimpl(optionalhook=True)
    def marketing_attributed_revenue(self, contacts, window_days):
        # Stands in for a sales plugin: one deal of 100 per contacted person.
        return {"deals": len(contacts), "revenue": 100 * len(contacts), "currency": "PLN"}

    @hookimpl
    def kartoteka_timeline_kinds(self):
        return [TimelineKind("sample.note", "Sample note", "Notatka przykładowa")]

    @hookimpl
    async def kartoteka_person_export(self, person_id):
        from kartoteka_sample.tables import SampleNote

        notes = await SampleNote.select(SampleNote.text).where(SampleNote.text.like(f"%[person:{person_id}]%"))
        return {"notes": [note["text"] for note in notes]}

    @hookimpl
    async def kartoteka_person_erase(self, person_id):
        from kartoteka_sample.tables import SampleNote

        await SampleNote.update({SampleNote.text: "[erased]"}).where(SampleNote.text.like(f"%[person:{person_id}]%"))

    @hookimpl
    def kartoteka_graphql_queries(self, surface):
        from kartoteka_sample.graphql import SampleQuery

        return [SampleQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface):
        from kartoteka_sample.graphql import SampleMutation

        return [SampleMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_types(self, surface):
        from kartoteka_sample.graphql import SampleNoteNode

        return [SampleNoteNode] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface):
        from kartoteka_sample.graphql import ViewerSampleFields

        return [TypeExtension(target="Viewer", fields=ViewerSampleFields)] if surface == "staff" else []

    @hookimpl
    def kartoteka_dataloaders(self):
        from kartoteka_sample.graphql import batch_run_counts

        return [LoaderSpec(name="sample.run_count", batch=batch_run_counts)]

    @hookimpl
    def kartoteka_event_types(self):
        return [NoteCreated]

    @hookimpl
    def kartoteka_event_subscribers(self):
        fast_retries = RetryPolicy(
            max_retries=3, min_backoff=timedelta(milliseconds=50), max_backoff=timedelta(milliseconds=200)
        )
        return [
            Subscriber(
                name="sample.veto_forbidden", event=NoteCreated.name, handler=services.veto_forbidden, mode="sync"
            ),
            Subscriber(
                name="sample.record_note",
                event=NoteCreated.name,
                handler=services.record_note_handler(self.config),
                queue="sample",
                retry=fast_retries,
            ),
        ]

    @hookimpl
    def kartoteka_jobs(self):
        return [
            JobSpec(name="sample.touch_note", fn=services.touch_note, description="Mark a note as touched."),
            JobSpec(name="sample.tick", fn=services.tick, description="Record a scheduler tick."),
        ]

    @hookimpl
    def kartoteka_schedules(self):
        if not self.config.tick_seconds:
            return []
        return [
            ScheduleSpec(
                name="sample.ticker",
                job="sample.tick",
                every=timedelta(seconds=self.config.tick_seconds),
                kwargs={"schedule": "sample.ticker"},
            )
        ]

    @hookimpl
    def kartoteka_actor_from_request(self, request):
        if not self.config.trust_test_header:
            return None
        header = request.headers.get(TEST_ACTOR_HEADER)
        if header is None:
            return None
        kind, _, permissions = header.partition(":")
        return Actor(
            kind=kind,
            id=f"{kind}-1",
            permissions=frozenset(filter(None, permissions.split(","))),
            display_name="Test actor",
        )

    @hookimpl
    def kartoteka_http_routes(self):
        greeting = self.config.greeting

        @get("/ping", sync_to_thread=False)
        def ping() -> dict[str, str]:
            return {"greeting": greeting}

        return [ping]

    @hookimpl
    def kartoteka_cli_commands(self):
        @click.command("sample-count")
        def sample_count():
            """Print how many sample notes exist."""
            import asyncio

            from core.api import boot_plugin
            from kartoteka_sample.tables import SampleNote

            boot_plugin("sample")
            click.echo(f"sample notes: {asyncio.run(SampleNote.count().run())}")

        return [sample_count]
