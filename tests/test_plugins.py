"""Loading plugins from plugins.toml and entry points; every conflict is an error naming both sides."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import strawberry

from core.api import JobSpec, NoConfig, Permission, Plugin, PluginInfo, TypeExtension, field, hookimpl
from core.errors import ConfigError, PluginError, SchemaCompositionError
from core.graphql.compose import build_schema
from core.plugins.loader import read_plugins_file
from core.runtime import Runtime
from core.settings import load_settings
from tests.conftest import SAMPLE_PLUGINS, write_plugins


def boot(tmp_path: Path, toml: str = SAMPLE_PLUGINS, **extra) -> Runtime:
    plugins = write_plugins(tmp_path / "plugins.toml", toml)
    settings = load_settings(environ={}, database_url="sqlite:///:memory:", plugins_file=plugins)
    return Runtime.boot(settings, extra_plugins=extra or None)


def test_enabled_plugin_is_loaded_after_the_core_with_its_config(tmp_path):
    runtime = boot(tmp_path, "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngreeting = 'dzień dobry'\n")
    assert runtime.plugin_names == ["core", "sample"]
    assert runtime.plugins.plugin("sample").config.greeting == "dzień dobry"
    assert "sample.note.read" in runtime.registry.permissions
    assert runtime.registry.permission_owner["sample.note.read"] == "sample"


def test_disabled_plugin_is_never_imported(tmp_path):
    """A fresh interpreter boots with the sample plugin installed but disabled."""
    plugins = write_plugins(tmp_path / "plugins.toml", "[plugins.sample]\nenabled = false\n")
    code = textwrap.dedent(
        """
        import sys
        from core.runtime import Runtime
        from core.settings import load_settings
        from core.graphql.compose import build_schema
        runtime = Runtime.boot(load_settings())
        sdl = build_schema(runtime, "staff").as_str()
        print(runtime.plugin_names, "kartoteka_sample" in sys.modules, "sampleNotes" in sdl)
        """
    )
    env = {**os.environ, "KARTOTEKA_PLUGINS_FILE": str(plugins), "KARTOTEKA_DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['core'] False False"


def test_disabling_removes_table_query_type_field_job_and_subscriber(tmp_path):
    enabled = boot(tmp_path)
    disabled = boot(tmp_path, "[plugins.sample]\nenabled = false\n")
    for runtime, present in ((enabled, True), (disabled, False)):
        sdl = build_schema(runtime, "staff").as_str()
        assert ("sampleNotes" in sdl) is present
        assert ("sampleNoteCount" in sdl) is present  # the field the plugin adds to the core Viewer
        assert ("sample.touch_note" in runtime.registry.jobs) is present
        assert ("sample.record_note" in runtime.registry.subscribers) is present
        apps = {app.app_name for app in runtime.registry.piccolo_apps.values()}
        assert ("sample" in apps) is present


def test_unknown_plugin_lists_the_installed_ones(tmp_path):
    with pytest.raises(ConfigError) as error:
        boot(tmp_path, "[plugins.salse]\nenabled = true\n")
    assert "plugins.salse" in str(error.value)
    assert "installed: " in str(error.value) and "sample" in str(error.value)


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        (
            "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngretting = 'x'\n",
            "plugins.sample.config",
            "gretting",
        ),
        (
            "[plugins.sample]\nenabled = true\n[plugins.sample.config]\nslow_seconds = 'fast'\n",
            "plugins.sample.config.slow_seconds",
            "Expected `float`",
        ),
        ("[plugins.sample]\nenabled = 'yes'\n", "plugins.sample.enabled", "true or false"),
        ("[plugins.sample]\nenabeld = true\n", "plugins.sample.enabeld", "unknown key"),
        ("[plugin.sample]\nenabled = true\n", "plugin", "unknown top-level key"),
        ("[plugins.sample\n", "plugins.toml", "not valid TOML"),
        ("[plugins.core]\nenabled = true\n", "plugins.core", "always enabled"),
    ],
)
def test_bad_plugins_toml_names_the_key(tmp_path, toml, key, problem):
    with pytest.raises(ConfigError) as error:
        boot(tmp_path, toml)
    assert key in error.value.key
    assert problem in str(error.value)


def test_missing_plugins_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="plugins file not found"):
        read_plugins_file(tmp_path / "nowhere.toml")


def test_secrets_come_from_the_environment_or_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMPLE_GREETING", "cześć")
    runtime = boot(
        tmp_path, "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngreeting = { env = 'SAMPLE_GREETING' }\n"
    )
    assert runtime.plugins.plugin("sample").config.greeting == "cześć"
    secret = tmp_path / "greeting.txt"
    secret.write_text("hej\n")
    runtime = boot(
        tmp_path, f"[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngreeting = {{ file = '{secret}' }}\n"
    )
    assert runtime.plugins.plugin("sample").config.greeting == "hej"
    with pytest.raises(ConfigError, match=r"plugins.sample.config.greeting: environment variable NOPE is not set"):
        boot(tmp_path, "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngreeting = { env = 'NOPE' }\n")


def test_missing_requirement_names_both_plugins(tmp_path):
    with pytest.raises(PluginError) as error:
        boot(tmp_path, "[plugins.sample_addon]\nenabled = true\n")
    assert "'sample_addon' requires plugin 'sample'" in str(error.value)


def test_requirements_order_loading_and_published_hooks_work(tmp_path):
    runtime = boot(tmp_path, "[plugins.sample_addon]\nenabled = true\n[plugins.sample]\nenabled = true\n")
    assert runtime.plugin_names == ["core", "sample", "sample_addon"]
    assert runtime.plugins.manager.hook.kartoteka_sample_decorate(text="x") == ["*x*"]


def test_hook_kartoteka_addhooks(tmp_path):
    test_requirements_order_loading_and_published_hooks_work(tmp_path)


class _Quiet(Plugin):
    info = PluginInfo(description="test double")
    Config = NoConfig


def test_unknown_hook_name_is_refused(tmp_path):
    class Typo(_Quiet):
        @hookimpl
        def kartoteka_graphql_querys(self):
            return []

    with pytest.raises(PluginError, match=r"typo.*kartoteka_graphql_querys"):
        boot(tmp_path, typo=Typo("typo", NoConfig()))


def test_published_hook_with_an_unknown_argument_is_refused_naming_the_plugin(tmp_path):
    class Typo(_Quiet):
        @hookimpl(optionalhook=True)
        def marketing_attributed_revenue(self, contacts, window_day):
            return None

    marketing = "[plugins.marketing]\nenabled = true\n"
    with pytest.raises(PluginError, match=r"(?s)plugin 'typo'.*window_day"):
        boot(tmp_path, marketing, typo=Typo("typo", NoConfig()))
    # Without marketing the hook is not published, and an optional implementation is no error.
    assert boot(tmp_path, "", typo=Typo("typo", NoConfig())).plugin_names == ["core", "typo"]


def test_unknown_hook_with_a_publishing_plugins_prefix_is_refused(tmp_path):
    class Typo(_Quiet):
        @hookimpl(optionalhook=True)
        def marketing_person_fact(self):
            return []

    with pytest.raises(PluginError, match=r"(?s)plugin 'typo'.*marketing_person_fact"):
        boot(tmp_path, "[plugins.marketing]\nenabled = true\n", typo=Typo("typo", NoConfig()))


def test_duplicate_root_field_names_both_plugins(tmp_path):
    @strawberry.type
    class Clash:
        @field(permission="public")
        def sample_notes(self) -> int:
            return 0

    class Other(_Quiet):
        @hookimpl
        def kartoteka_graphql_queries(self, surface):
            return [Clash] if surface == "staff" else []

    runtime = boot(tmp_path, other=Other("other", NoConfig()))
    with pytest.raises(SchemaCompositionError, match=r"Query.sampleNotes is defined by both 'other' and 'sample'"):
        build_schema(runtime, "staff")


def test_duplicate_field_on_an_extended_type_names_both_plugins(tmp_path):
    class MoreViewer:
        @field(permission="public")
        def sample_note_count(self) -> int:
            return 0

    class Other(_Quiet):
        @hookimpl
        def kartoteka_graphql_type_extensions(self, surface):
            return [TypeExtension(target="Viewer", fields=MoreViewer)]

    runtime = boot(tmp_path, other=Other("other", NoConfig()))
    with pytest.raises(SchemaCompositionError, match=r"Viewer.sampleNoteCount is defined by both 'sample' and 'other'"):
        build_schema(runtime, "staff")
    with pytest.raises(SchemaCompositionError, match="not an extensible type"):

        class Wrong(_Quiet):
            @hookimpl
            def kartoteka_graphql_type_extensions(self, surface):
                return [TypeExtension(target="DeadLetter", fields=MoreViewer)]

        build_schema(boot(tmp_path, wrong=Wrong("wrong", NoConfig())), "staff")


def test_duplicate_permission_job_and_cli_command_are_refused(tmp_path):
    class Twice(_Quiet):
        @hookimpl
        def kartoteka_permissions(self):
            return [Permission("twice.thing.read", "a"), Permission("twice.thing.read", "b")]

    with pytest.raises(PluginError, match=r"permission 'twice.thing.read' is contributed by both 'twice' and 'twice'"):
        boot(tmp_path, twice=Twice("twice", NoConfig()))

    class Squatter(_Quiet):
        @hookimpl
        def kartoteka_jobs(self):
            return [JobSpec(name="sample.touch_note", fn=lambda ctx: None)]

    with pytest.raises(
        PluginError, match=r"job 'sample.touch_note' of plugin 'squatter' must start with 'squatter.' .*plugin 'sample'"
    ):
        boot(tmp_path, squatter=Squatter("squatter", NoConfig()))

    import click

    class Commands(_Quiet):
        @hookimpl
        def kartoteka_cli_commands(self):
            return [click.Command("sample-count")]

    with pytest.raises(PluginError, match="CLI command 'sample-count' is contributed by both 'commands' and 'sample'"):
        boot(tmp_path, commands=Commands("commands", NoConfig()))


async def test_a_runtime_hook_called_without_an_argument_an_implementation_needs_names_both(tmp_path):
    class Starter(_Quiet):
        @hookimpl
        def kartoteka_startup(self, runtime, plugin_runtime):
            return None

    runtime = boot(tmp_path, "", starter=Starter("starter", NoConfig()))
    assert await runtime.call_hook("kartoteka_startup", runtime=runtime) == []
    with pytest.raises(PluginError, match=r"kartoteka_startup was called without runtime, which plugin 'starter'"):
        await runtime.call_hook("kartoteka_startup")


@pytest.mark.parametrize(
    ("names", "refusal"),
    [
        (["facts.one", "facts.one"], r"person fact 'facts.one' is offered by both 'facts' and 'facts'"),
        (["sales.open_deal"], r"person fact 'sales.open_deal' of plugin 'facts' must start with 'facts.'"),
    ],
)
async def test_marketing_refuses_a_person_fact_offered_twice_or_under_another_plugins_name(tmp_path, names, refusal):
    from plugins.marketing.contracts import PersonFact

    class Facts(_Quiet):
        @hookimpl(optionalhook=True)
        def marketing_person_facts(self):
            return [PersonFact(name, "A fact", "Fakt", lambda params, sqlite: None) for name in names]

    runtime = boot(tmp_path, "[plugins.marketing]\nenabled = true\n", facts=Facts("facts", NoConfig()))
    with pytest.raises(PluginError, match=refusal):
        await runtime.call_hook("kartoteka_startup", runtime=runtime)
