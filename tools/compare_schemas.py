"""Compare the schemas of two databases of the same engine: ``python tools/compare_schemas.py A B``.

A and B are database URLs (``postgresql://…`` or ``sqlite:///path``). Prints a unified diff of the
normalised schemas and exits 1 when they differ. Use it when rewriting migrations (e.g. a squash):
build one database with the old history and one with the new, then compare them.

Normalised: column order inside a table is ignored (a column added later by ALTER TABLE ends up
last), as are pg_dump's comments and SET lines, and the piccolo_migration table's rows (they are
not schema).
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import subprocess
import sys


def _split_top_level(body: str) -> list[str]:
    """Split a table body at the commas that are not inside parentheses or quotes."""
    parts, depth, quote, current = [], 0, "", []
    for char in body:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _normalise_create_table(statement: str) -> str:
    head, _, rest = statement.partition("(")
    body, _, tail = rest.rpartition(")")
    columns = sorted(re.sub(r"\s+", " ", part) for part in _split_top_level(body))
    head = re.sub(r"\s+", " ", head.strip())
    return head + " (\n    " + ",\n    ".join(columns) + "\n)" + tail.strip()


def postgres_schema(url: str) -> list[str]:
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # pg_dump's comments, session settings and \restrict keys (random per dump) are not schema.
    noise = ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
    lines = [line for line in dump.splitlines() if not line.startswith(noise)]
    statements = [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]
    return sorted(
        _normalise_create_table(s) if s.startswith("CREATE TABLE") else re.sub(r"[ \t]+", " ", s) for s in statements
    )


def sqlite_schema(path: str) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        ).fetchall()
    finally:
        connection.close()
    result = []
    for kind, name, table, sql in rows:
        sql = re.sub(r"\s+", " ", sql.strip())
        if kind == "table" and not sql.upper().startswith("CREATE VIRTUAL"):
            sql = _normalise_create_table(sql)
        result.append(f"-- {kind} {name} on {table}\n{sql}")
    return sorted(result)


def schema(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        return sqlite_schema(url.removeprefix("sqlite:///"))
    return postgres_schema(url)


def main(first: str, second: str) -> int:
    diff = list(
        difflib.unified_diff(
            "\n".join(schema(first)).splitlines(),
            "\n".join(schema(second)).splitlines(),
            first,
            second,
            lineterm="",
        )
    )
    print("\n".join(diff) if diff else "schemas are identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
