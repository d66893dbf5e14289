"""The per-request GraphQL context: who is asking, the runtime, and lazily made DataLoaders.

``runtime`` is the core's own; a plugin's resolver asks ``info.context.plugin(info)`` for its part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader
from strawberry.litestar import BaseContext

from core.auth import Actor
from core.plugins.host import plugin_of_module

if TYPE_CHECKING:
    from core.plugins.host import PluginRuntime
    from core.runtime import Runtime


class Loaders:
    """DataLoaders of one request, created on first use from the registered specs.

    Never shared between requests: a loader's cache holds what one actor may see.
    """

    def __init__(self, runtime: Runtime, context: Any):
        self._runtime = runtime
        self._context = context
        self._made: dict[str, DataLoader] = {}

    def __getitem__(self, name: str) -> DataLoader:
        loader = self._made.get(name)
        if loader is None:
            spec = self._runtime.registry.loaders[name]
            context = self._context

            async def load(keys: list[Any], _batch=spec.batch) -> list[Any]:
                return await _batch(keys, context)

            loader = self._made[name] = DataLoader(load_fn=load, max_batch_size=spec.max_batch_size)
        return loader


class Context(BaseContext, kw_only=True):
    runtime: Any
    actor: Actor
    surface: str
    locale: str = "en"
    loaders: Any = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.runtime, self)

    def plugin(self, info: Any) -> PluginRuntime:
        """What the plugin that contributed the running field gets from the core (its config,
        the settings it may read): ``info.context.plugin(info).config``."""
        field = info._field  # strawberry's own Info reads it the same way
        code = field.base_resolver.wrapped_func if field.base_resolver is not None else field.origin
        return self.runtime.for_plugin(plugin_of_module(self.runtime, code.__module__))
