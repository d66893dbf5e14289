import json
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import DomainError, UserError, field, mutation, paginate_by_id
from kartoteka_sample import services
from kartoteka_sample.tables import SampleNote

READ = "sample.note.read"
WRITE = "sample.note.write"
BATCH_CALLS: list[int] = []  # sizes of the run-count batches, so tests can prove batching


@strawberry.type(description="A note of the sample plugin.")
class SampleNoteNode(relay.Node):
    node_permission: ClassVar[str] = READ

    id: relay.NodeID[int]
    text: str
    touched: bool
    custom_fields: JSON

    @strawberry.field(description="Completed runs of the async subscriber for this note.")
    async def runs(self, info: strawberry.Info) -> int:
        return await info.context.loaders["sample.run_count"].load(self.id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "SampleNoteNode":
        custom = row["custom"] if isinstance(row["custom"], dict) else json.loads(row["custom"] or "{}")
        return cls(id=row["id"], text=row["text"], touched=row["touched"], custom_fields=custom)

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids]
        rows = {r["id"]: r for r in await SampleNote.select().where(SampleNote.id.is_in(ids))}
        return [cls.from_row(rows[i]) if i in rows else None for i in ids]


@strawberry.type
class SampleQuery:
    @field(permission=READ, description="Notes, oldest first.")
    async def sample_notes(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[SampleNoteNode]:
        return await paginate_by_id(
            SampleNote.select(),
            SampleNote.id,
            first=first,
            after=after,
            maximum=info.context.plugin(info).settings.max_page_size,
            to_node=SampleNoteNode.from_row,
        )

    @field(permission=READ, description="Sleeps; lets tests prove the request deadline.")
    async def sample_sleep(self, seconds: float) -> bool:
        import asyncio

        await asyncio.sleep(seconds)
        return True

    @field(permission=READ, description="Fails as a bug would; lets tests prove that errors are masked.")
    async def sample_fail(self) -> bool:
        raise RuntimeError("password=hunter2 in a connection string")


@strawberry.input
class SampleNoteCreateInput:
    text: str
    custom_fields: JSON | None = None


@strawberry.type
class SampleNoteCreatePayload:
    note: SampleNoteNode | None
    user_errors: list[UserError]


@strawberry.type
class SampleMutation:
    @mutation(permission=WRITE, description="Create a note (and publish sample.note_created).")
    async def sample_note_create(self, info: strawberry.Info, input: SampleNoteCreateInput) -> SampleNoteCreatePayload:
        try:
            async with info.context.plugin(info).unit_of_work(info.context.actor) as uow:
                note_id = await services.create_note(uow, input.text, input.custom_fields)
        except DomainError as error:
            return SampleNoteCreatePayload(note=None, user_errors=[UserError.from_domain(error)])
        [note] = await SampleNoteNode.resolve_nodes(info=info, node_ids=[note_id])
        return SampleNoteCreatePayload(note=note, user_errors=[])


class ViewerSampleFields:
    """Added to the core Viewer type."""

    @field(permission=READ, description="How many notes exist.")
    async def sample_note_count(self, info: strawberry.Info) -> int:
        return await SampleNote.count()


async def batch_run_counts(keys: list[int], context: Any) -> list[int]:
    BATCH_CALLS.append(len(keys))
    return await services.run_counts(keys)
