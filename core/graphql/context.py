"""The per-request GraphQL context: who is asking, the runtime, and lazily made DataLoaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader
from strawberry.litestar import BaseContext

from core.auth import Actor

if TYPE_CHECKING:
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
