"""Generate a Piccolo auto-migration for one app: ``python tools/makemigration.py <app>``.

Uses the PostgreSQL URL in KARTOTEKA_DATABASE_URL (Piccolo auto-migrations need it) and the
plugins enabled in plugins.toml (KARTOTEKA_PLUGINS_FILE).
"""

import asyncio
import sys

from piccolo.apps.migrations.commands.new import new

from core.runtime import Runtime


async def main(app_name: str) -> None:
    Runtime.boot(role="cli")
    await new(app_name=app_name, auto=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
