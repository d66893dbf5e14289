"""Share of a request's time by layer, from py-spy's raw (collapsed stack) output.

Reads what ``py-spy record -f raw`` wrote while ``profile_request.py --loop`` ran, keeps the samples
taken inside the app (their stack holds ``AsgiCaller.__call__``), and counts each sample for the
innermost frame on its stack that belongs to one of the layers below. Samples on the event loop
outside that stack (the loop itself, tasks the app spawns) are counted apart, the harness's not at all; py-spy
leaves out idle time, such as waiting for a worker thread. The garbage collector does
not show up as a frame: its cost lands on whatever allocation triggered it (``profile_request.py``
measures it by switching the collector off).

Usage: ``.venv/bin/python bench/layers.py bench/results/spy_rows.txt [more files]``
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

APP_FRAME = "AsgiCaller.__call__"
LOOP_FRAME = "run_forever"
HARNESS_FILE = "profile_request.py"
OUTSIDE = "event loop, tasks outside the request's stack"
# (layer, qualified-name pattern, file pattern): regular expressions searched in py-spy's
# "Qualified.name (path/file.py:line)" frames. The first rule a frame matches names its layer.
RULES = [
    ("database: Piccolo and the driver", r"", r"^(piccolo|asyncpg|aiosqlite|sqlite3)/"),
    ("RequirePermission (field extension)", r"", r"core/graphql/permissions\.py"),
    ("our resolvers, connection and cursors", r"", r"core/graphql/(pagination|core_types|compose)\.py"),
    ("context: actor hook, locale, Context()", r"", r"^pluggy/|kartoteka_sample/plugin\.py"),
    ("our resolvers, connection and cursors", r"", r"kartoteka_sample/"),
    ("our resolvers, connection and cursors", r"", r"^strawberry/relay/"),
    (
        "strawberry per field: resolver wrapper, Info",
        r"",
        r"^strawberry/(schema/schema_converter|types/(field|fields/|info|arguments))",
    ),
    ("strawberry per field: resolver wrapper, Info", r"build_resolve_info|is_awaitable", r"^strawberry/"),
    ("graphql-core execution (per field)", r"", r"^graphql/execution/"),
    ("graphql-core execution (per field)", r"", r"^graphql/(type|pyutils)/"),
    ("strawberry Schema.execute: extensions, caches", r"^Schema\.", r"^strawberry/schema/schema\.py"),
    ("strawberry Schema.execute: extensions, caches", r"", r"^strawberry/(extensions|schema)/"),
    ("GuardedSchema: cost, deadline, error texts", r"", r"core/graphql/(guards|errors)\.py"),
    ("JSON encoding", r"encode_json", r"core/app\.py|^strawberry/http/base\.py"),
    ("context: actor hook, locale, Context()", r"", r"core/(app|i18n|auth)\.py|core/graphql/context\.py"),
    ("strawberry view: body, content type, result", r"", r"^(strawberry/(http|litestar)|cross_web)/"),
    ("litestar: dependency injection", r"", r"^litestar/(_kwargs|_signature|di\.py)"),
    ("litestar: routing, request, response", r"", r"^litestar/"),
]
FRAME = re.compile(r"^(?P<name>.*) \((?P<path>[^()]*):\d+\)$")


def layer_of(frame: str) -> str | None:
    match = FRAME.match(frame)
    if match is None:
        return None
    name, path = match["name"], match["path"]
    for layer, name_pattern, path_pattern in RULES:
        if re.search(path_pattern, path) and (not name_pattern or re.search(name_pattern, name)):
            return layer
    return None


def tally(paths: list[Path]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            frames = stack.split(";")
            if APP_FRAME not in stack:
                # The loop itself and tasks the app spawned (anyio task groups), not the harness.
                loop = next((i for i, f in enumerate(frames) if LOOP_FRAME in f), None)
                if loop is not None and not any(HARNESS_FILE in f for f in frames[loop + 1 :]):
                    counts[OUTSIDE] += int(samples)
                    total += int(samples)
                continue
            inside = frames[next(i for i, f in enumerate(frames) if APP_FRAME in f) + 1 :]
            layer = next((found for f in reversed(inside) if (found := layer_of(f))), "other (asyncio, stdlib)")
            counts[layer] += int(samples)
            total += int(samples)
    return counts, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    counts, total = tally(args.files)
    print(f"{'layer':<48} {'samples':>8} {'share':>6}")
    for layer, samples in counts.most_common():
        print(f"{layer:<48} {samples:8d} {samples / total:6.1%}")
    print(f"{'in all':<48} {total:8d}")


if __name__ == "__main__":
    main()
