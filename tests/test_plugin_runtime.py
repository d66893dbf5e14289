"""What a plugin gets from the core at run time (``core.api.PluginRuntime``): no secret of the
deployment, and in hooks, jobs, subscribers and resolvers the part of the plugin that runs."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import msgspec
import pytest
import strawberry

from core.api import (
    PUBLIC,
    Event,
    JobSpec,
    Plugin,
    PluginInfo,
    PluginRuntime,
    PluginSettings,
    Subscriber,
    field,
    hookimpl,
)
from core.db.migrate import migrate
from core.runtime import Runtime
from core.settings import load_settings
from tests.conftest import gql, serve_app, wait_for, write_plugins

SEEN: list[tuple[str, str]] = []  # (where, the word of the plugin that ran there)


class ProbeConfig(msgspec.Struct, forbid_unknown_fields=True):
    word: str = ""


class Poked(Event, frozen=True):
    name: ClassVar[str] = "probe.poked"


async def remember(ctx) -> None:
    SEEN.append(("job", ctx.plugin.config.word))


async def on_poke(event, ctx) -> None:
    SEEN.append(("subscriber", ctx.plugin.config.word))


@strawberry.type
class ProbeQuery:
    @field(permission=PUBLIC, description="The word of the plugin that answers.")
    def probe_word(self, info: strawberry.Info) -> str:
        return info.context.plugin(info).config.word


class ProbePlugin(Plugin):
    info = PluginInfo(description="looks at what the core hands it")
    Config = ProbeConfig

    @hookimpl
    def kartoteka_startup(self, plugin_runtime):
        SEEN.append(("startup", plugin_runtime.config.word))

    @hookimpl
    def kartoteka_event_types(self):
        return [Poked]

    @hookimpl
    def kartoteka_jobs(self):
        return [JobSpec(name="probe.remember", fn=remember)]

    @hookimpl
    def kartoteka_event_subscribers(self):
        return [Subscriber(name="probe.on_poke", event="probe.poked", handler=on_poke, mode="sync")]

    @hookimpl
    def kartoteka_graphql_queries(self, surface):
        return [ProbeQuery] if surface == "staff" else []


def test_plugin_runtime_exposes_no_secret_of_the_deployment(tmp_path):
    secrets = {
        "secret_key": "s3cret-" + "k" * 40,
        "database_url": "postgresql://kartoteka:db-password@127.0.0.1:1/crm",
        "broker_url": "amqp://kartoteka:broker-password@127.0.0.1:1/%2F",
    }
    settings = load_settings(environ={}, plugins_file=write_plugins(tmp_path / "plugins.toml", ""), **secrets)
    runtime = Runtime.boot(settings, extra_plugins={"probe": ProbePlugin("probe", ProbeConfig(word="x"))})
    plugin = runtime.for_plugin("probe")
    assert isinstance(plugin, PluginRuntime) and isinstance(plugin.settings, PluginSettings)
    public = {f.name for f in dataclasses.fields(plugin.settings)}
    assert not public & {"secret_key", "secret_key_file", "database_url", "broker_url", "smtp_url", "sso_client_secret"}
    readable = [str(value) for value in dataclasses.asdict(plugin.settings).values()]
    readable += [name for name in dir(plugin) if not name.startswith("_")]
    for secret in secrets.values():
        assert not any(secret in value or "password" in value for value in readable)
    # A plugin signs with a key derived for it and the purpose, never with the secret key itself.
    key = plugin.signing_key("links")
    assert key != secrets["secret_key"] and secrets["secret_key"] not in key
    assert key == runtime.for_plugin("probe").signing_key("links")
    assert key != plugin.signing_key("visitors") and key != runtime.for_plugin("core").signing_key("links")


async def test_hooks_jobs_subscribers_and_resolvers_get_their_plugins_own_config(settings):
    SEEN.clear()
    runtime = Runtime.boot(
        settings, role="web", extra_plugins={"probe": ProbePlugin("probe", ProbeConfig(word="sowa"))}
    )
    await migrate(runtime)
    async with serve_app(runtime) as client:
        answer = await gql(client, "{ probeWord }", actor=None)
        async with runtime.unit_of_work() as uow:
            await uow.publish(Poked())
            await uow.defer("probe.remember")
        await wait_for(lambda: _seen("job"))
    assert answer == {"data": {"probeWord": "sowa"}}
    assert SEEN == [("startup", "sowa"), ("subscriber", "sowa"), ("job", "sowa")]


async def _seen(where: str) -> bool:
    return any(seen == where for seen, _word in SEEN)


@pytest.fixture(autouse=True)
def _forget_seen():
    yield
    SEEN.clear()
