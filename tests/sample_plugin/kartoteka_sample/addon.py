"""A second plugin that requires ``sample`` and implements the hook ``sample`` publishes."""

from core.api import Plugin, PluginInfo, hookimpl


class SampleAddonPlugin(Plugin):
    info = PluginInfo(description="Implements kartoteka_sample_decorate", requires=("sample",))

    @hookimpl
    def kartoteka_sample_decorate(self, text: str) -> str:
        return f"*{text}*"
