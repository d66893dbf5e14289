"""`kartoteka import companies|persons`: CSV import from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.commands import actor_for_email, boot, console, run_service


@click.group("import")
def import_() -> None:
    """Import records from CSV files."""


def _import_options(command):
    """The arguments both import commands take (decorators apply bottom-up, hence the order)."""
    command = click.option(
        "--as", "as_user", default=None, metavar="EMAIL", help="Import as this user (owner of the new records)."
    )(command)
    command = click.option("--dry-run", is_flag=True, help="Check every row and report, but keep nothing.")(command)
    command = click.option(
        "--map",
        "mappings",
        multiple=True,
        metavar="COLUMN=FIELD",
        help="Map a CSV column to a field (repeatable); common Polish and English headers are recognised.",
    )(command)
    return click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


def _run_import(target_name: str, path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    from core.imports import services as importer

    target = importer.TARGETS[target_name]
    runtime = boot()
    headers, rows = importer.read_csv(importer.decode(path.read_bytes()))
    mapping = importer.guess_mapping(headers, target)
    for item in mappings:
        column, _, field_name = item.partition("=")
        mapping[column.strip()] = field_name.strip()

    async def run() -> importer.ImportReport:
        importer.check_mapping(mapping, headers, target)
        actor = await actor_for_email(runtime, as_user)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("Importing" if not dry_run else "Checking", total=len(rows))
            return await importer.import_rows(
                runtime, actor, target, rows, mapping, dry_run=dry_run, progress=lambda n: bar.update(task, advance=n)
            )

    report = run_service(run())
    if report.problems:
        table = Table("row", "field", "code", "problem")
        for problem in report.problems:
            table.add_row(str(problem.row), ".".join(problem.field[1:]), problem.code, problem.message)
        console.print(table)
    console.print(
        f"{report.rows} row(s): {report.created} new, {len(report.matched)} already in the file, "
        f"{len(report.problems)} with problems."
    )
    if report.problems:
        console.print("Nothing was imported; fix the rows above and run again.")
        sys.exit(1)
    console.print("Dry run: nothing was kept." if dry_run else "Imported.")


@import_.command("companies")
@_import_options
def import_companies(path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    """Import companies from a CSV file: all rows or none, duplicates (NIP, e-mail, phone) matched."""
    _run_import("companies", path, mappings, dry_run, as_user)


@import_.command("persons")
@_import_options
def import_persons(path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    """Import persons from a CSV file: all rows or none, duplicates (e-mail, phone) matched.

    A column with the company's NIP or exact name (firma, NIP firmy) makes the person an
    employee of that existing company, with the position from the stanowisko column.
    """
    _run_import("persons", path, mappings, dry_run, as_user)
