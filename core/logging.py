"""Logging set-up shared by every process; log lines never carry secrets (settings are
logged through ``Settings.safe_dict``)."""

import logging
import os


def configure_logging(level: str | None = None) -> None:
    level = level or os.environ.get("KARTOTEKA_LOG_LEVEL", "INFO")
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s",
    )
    # dramatiq logs every retried exception with a traceback at WARNING; our delivery rows
    # already record the error.
    logging.getLogger("dramatiq.middleware.retries.Retries").setLevel(logging.ERROR)
    logging.getLogger("pika").setLevel(logging.WARNING)
    logging.getLogger("piccolo").setLevel(logging.WARNING)
