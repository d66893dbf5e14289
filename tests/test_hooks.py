"""Every hook is documented and tested (the Datasette rule), and each one works end to end."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.graphql.compose import build_schema
from core.plugins import hookspecs
from kartoteka_sample.tables import SampleNote
from tests.conftest import gql, serve_app

ROOT = Path(__file__).resolve().parents[1]
HOOKS = {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("kartoteka_")}


def test_every_hook_is_documented_with_its_signature():
    docs = (ROOT / "docs" / "plugin-hooks.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (kartoteka_\w+\(.*\))$", docs, re.MULTILINE))
    for name, fn in HOOKS.items():
        assert fn.__doc__ and fn.__doc__.strip(), f"{name} has no docstring"
        signature = f"{name}({', '.join(inspect.signature(fn).parameters)})"
        assert signature in headings, f"docs/plugin-hooks.md lacks a '### {signature}' heading"


def test_every_hook_has_a_test():
    sources = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("test_*.py"))
    for name in HOOKS:
        assert re.search(rf"^(async )?def test_hook_{name}\(", sources, re.MULTILINE), f"no test_hook_{name}"


async def test_hook_kartoteka_startup(runtime):
    plugin = runtime.plugins.plugin("sample")
    async with serve_app(runtime):
        assert plugin.events == ["startup:web"]


async def test_hook_kartoteka_shutdown(runtime):
    plugin = runtime.plugins.plugin("sample")
    async with serve_app(runtime):
        pass
    assert plugin.events == ["startup:web", "shutdown:web"]


async def test_hook_kartoteka_piccolo_apps(runtime):
    apps = {app.app_name: app for app in runtime.registry.piccolo_apps.values()}
    assert list(apps) == ["core", "sample"]
    assert apps["sample"].migration_dependencies == ["core.db.piccolo_app"]
    assert await SampleNote.count() == 0  # the plugin's table exists after `migrate`


async def test_hook_kartoteka_demo_data(runtime):
    from core.crm.tables import Company, Person

    done = []
    messages = await runtime.call_hook("kartoteka_demo_data", runtime=runtime, scale=12, progress=done.append)
    assert [row["text"] for row in await SampleNote.select(SampleNote.text)] == ["Demo note"]
    assert await Company.count() == 12 and await Person.count() >= 12
    assert sum(done) == 12
    assert any(message and "Administrator token" in message for message in messages)


async def test_hook_kartoteka_graphql_queries(client):
    result = await gql(client, "{ sampleNotes { edges { cursor } } }")
    assert result == {"data": {"sampleNotes": {"edges": []}}}


async def test_hook_kartoteka_graphql_mutations(client):
    result = await gql(client, 'mutation { sampleNoteCreate(input: {text: "x"}) { userErrors { code } } }')
    assert result == {"data": {"sampleNoteCreate": {"userErrors": []}}}


def test_hook_kartoteka_graphql_types(runtime):
    assert "SampleNoteNode" in build_schema(runtime, "staff")._schema.type_map
    assert "SampleNoteNode" not in build_schema(runtime, "portal")._schema.type_map


async def test_hook_kartoteka_graphql_type_extensions(client):
    result = await gql(client, "{ viewer { kind sampleNoteCount } }")
    assert result == {"data": {"viewer": {"kind": "staff", "sampleNoteCount": 0}}}


async def test_hook_kartoteka_dataloaders(runtime):
    from core.auth import SYSTEM
    from core.graphql.context import Context

    first = Context(runtime=runtime, actor=SYSTEM, surface="staff")
    second = Context(runtime=runtime, actor=SYSTEM, surface="staff")
    assert first.loaders["sample.run_count"] is first.loaders["sample.run_count"]
    assert first.loaders["sample.run_count"] is not second.loaders["sample.run_count"]  # never shared
    assert await first.loaders["sample.run_count"].load_many([1, 2]) == [0, 0]


def test_hook_kartoteka_event_types(runtime):
    from kartoteka_sample.events import NoteCreated

    assert runtime.registry.event_types["sample.note_created"] is NoteCreated
    assert {name.split(".")[0] for name in runtime.registry.event_types} == {"core", "sample"}


def test_hook_kartoteka_event_subscribers(runtime):
    subscribers = runtime.registry.subscribers
    assert {name: s.mode for name, s in subscribers.items()} == {
        "core.audit": "sync",
        "core.search_index": "sync",
        "sample.veto_forbidden": "sync",
        "sample.record_note": "async",
        "core.rules": "async",  # every event, for process rules
        "core.notify_followers": "async",  # core.attachment_changed
        "core.notify_task_reminder": "async",  # core.task_reminder_due
        "core.call_queue.person_deleted": "sync",  # open calls of a removed client are cancelled
        "core.call_queue.company_deleted": "sync",
    }
    assert runtime.dispatcher.targets_for("event", "sample.note_created") == [
        "sub.core.rules",
        "sub.sample.record_note",
    ]
    # The relay asks core.rules which events it wants: only those some enabled rule listens to.
    wanted = {"core.rules": set()}
    assert runtime.dispatcher.targets_for("event", "sample.note_created", wanted) == ["sub.sample.record_note"]


def test_hook_kartoteka_jobs(runtime):
    assert {
        "sample.touch_note",
        "sample.tick",
        "core.send_task_reminders",
        "core.prune_outbox",
        "core.send_mail",
        "core.run_rule",
        "core.deliver_webhook",
        "core.poll_mailboxes",
        "core.poll_mailbox",
        "core.enqueue_calls",
    } == set(runtime.registry.jobs)
    actor = runtime.dispatcher.actor("job.sample.touch_note")
    assert actor.actor_name == "job.sample.touch_note"
    assert actor.queue_name == "default"


def test_hook_kartoteka_schedules(runtime, tmp_path):
    from core.runtime import Runtime
    from tests.conftest import write_plugins

    # The sample plugin's schedule is off by default.
    assert set(runtime.registry.schedules) == {"core.task_reminders", "core.outbox_retention", "core.imap_poll"}
    plugins = write_plugins(
        tmp_path / "t.toml", "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ntick_seconds = 60\n"
    )
    ticking = Runtime.boot(runtime.settings.with_overrides(plugins_file=plugins))
    schedule = ticking.registry.schedules["sample.ticker"]
    assert (schedule.name, schedule.job, schedule.every.total_seconds()) == ("sample.ticker", "sample.tick", 60)


def test_hook_kartoteka_permissions(runtime):
    owners = runtime.registry.permission_owner
    assert {code for code, owner in owners.items() if owner == "sample"} == {"sample.note.read", "sample.note.write"}
    assert {"core.system.read", "core.jobs.manage", "core.company.read", "core.role.manage"} <= set(owners)
    assert all(owner == code.split(".")[0] for code, owner in owners.items())


async def test_hook_kartoteka_role_templates(runtime):
    from core.access.tables import Role

    assert {"administrator", "operator", "sales_rep", "sample_editor"} <= set(runtime.registry.role_templates)
    roles = {row["name"]: row for row in await Role.select().output(load_json=True)}  # created by migrate
    assert roles["sample_editor"]["permissions"] == ["sample.note.read", "sample.note.write"]
    assert roles["sample_editor"]["builtin"] is True
    assert roles["administrator"]["permissions"] == ["*"]


def test_hook_kartoteka_timeline_kinds(runtime):
    kinds = runtime.registry.timeline_kinds
    assert kinds["sample.note"].label_pl == "Notatka przykładowa"
    assert {"core.call", "core.email", "core.meeting", "core.note"} <= set(kinds)


async def test_hook_kartoteka_custom_field_entities(runtime, client):
    assert set(runtime.registry.custom_field_entities) == {"company", "person", "sample.note"}
    define = (
        """mutation($input: CustomFieldDefineInput!) { customFieldDefine(input: $input) { userErrors { code } } }"""
    )
    field = {"key": "priority", "labelPl": "Priorytet", "labelEn": "Priority", "kind": "number"}
    admin = "staff:core.custom_field.manage,sample.note.read,sample.note.write"
    result = await gql(client, define, {"input": {"entity": "sample.note", **field}}, actor=admin)
    assert result["data"]["customFieldDefine"]["userErrors"] == []
    result = await gql(client, define, {"input": {"entity": "sample.nothing", **field}}, actor=admin)
    assert result["data"]["customFieldDefine"]["userErrors"] == [{"code": "INVALID_CHOICE"}]
    create = """mutation($input: SampleNoteCreateInput!) { sampleNoteCreate(input: $input) {
        note { customFields } userErrors { field code } } }"""
    made = await gql(client, create, {"input": {"text": "a", "customFields": {"priority": 3}}}, actor=admin)
    assert made["data"]["sampleNoteCreate"] == {"note": {"customFields": {"priority": 3}}, "userErrors": []}
    refused = await gql(client, create, {"input": {"text": "b", "customFields": {"priority": "x"}}}, actor=admin)
    assert refused["data"]["sampleNoteCreate"]["userErrors"] == [
        {"field": ["input", "customFields", "priority"], "code": "CUSTOM_FIELD_INVALID"}
    ]
    entities = await gql(client, "{ customFieldEntities { name label } }", actor="staff:sample.note.read")
    assert entities["data"]["customFieldEntities"] == [{"name": "sample.note", "label": "Sample note"}]


async def test_hook_kartoteka_template_variables(runtime):
    from core.auth import SYSTEM
    from core.crm.merge_fields import declared_variables, recipient_contexts
    from core.crm.services import create_person
    from core.errors import DomainError
    from core.templates import check_template, render_template

    variables = await declared_variables(runtime)
    check_template("{{ recipient.first_name }}: {{ sample.tier }}", variables, ["text"])
    with pytest.raises(DomainError):
        check_template("{{ sample.price }}", variables, ["text"])
    person_id = await create_person(runtime, SYSTEM, {"first_name": "Ala", "last_name": "Nowak"})
    context = (await recipient_contexts(runtime, [person_id]))[person_id]
    expected = "gold" if person_id % 2 else "silver"
    assert render_template("{{ recipient.first_name }}: {{ sample.tier }}", context) == f"Ala: {expected}"


async def test_hook_kartoteka_person_export(runtime):
    from core.auth import SYSTEM
    from core.crm.gdpr import export_person
    from core.crm.services import create_person

    person_id = await create_person(runtime, SYSTEM, {"last_name": "Nowak"})
    await SampleNote.insert(SampleNote(text=f"[person:{person_id}]"))
    assert (await export_person(runtime, SYSTEM, person_id))["sample"] == {"notes": [f"[person:{person_id}]"]}


async def test_hook_kartoteka_person_erase(runtime):
    from core.auth import SYSTEM
    from core.crm.gdpr import erase_person
    from core.crm.services import create_person

    person_id = await create_person(runtime, SYSTEM, {"last_name": "Nowak"})
    await SampleNote.insert(SampleNote(text=f"[person:{person_id}] and more"))
    await erase_person(runtime, SYSTEM, person_id)
    assert [row["text"] for row in await SampleNote.select(SampleNote.text)] == ["[erased]"]


async def test_hook_kartoteka_actor_from_request(client):
    signed_in = await gql(client, "{ viewer { kind actorId permissions } }", actor="service:sample.note.read")
    assert signed_in["data"]["viewer"] == {
        "kind": "service",
        "actorId": "service-1",
        "permissions": ["sample.note.read"],
    }
    anonymous = await gql(client, "{ viewer { kind actorId } }", actor=None)
    assert anonymous["data"]["viewer"] == {"kind": "anonymous", "actorId": None}


async def test_hook_kartoteka_http_routes(client):
    assert (await client.get("/plugins/sample/ping")).json() == {"greeting": "hello"}


def test_hook_kartoteka_cli_commands(settings, runtime):
    import os

    env = {
        **os.environ,
        "KARTOTEKA_DATABASE_URL": settings.database_url,
        "KARTOTEKA_PLUGINS_FILE": str(settings.plugins_file),
    }
    result = subprocess.run([sys.executable, "-m", "core.cli", "sample-count"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sample notes: 0"
    listed = subprocess.run([sys.executable, "-m", "core.cli", "--help"], env=env, capture_output=True, text=True)
    assert "sample-count" in listed.stdout
