"""The marketing plugin enabled with sales (deals attributed to campaigns) and the sample plugin."""

from pathlib import Path

import pytest

from core.testing import SmtpSink
from tests.conftest import SAMPLE_PLUGINS, write_plugins

MARKETING_PLUGINS = (
    SAMPLE_PLUGINS
    + """
[plugins.sales]
enabled = true
[plugins.marketing]
enabled = true
[plugins.marketing.config]
tick_seconds = 1
"""
)


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", MARKETING_PLUGINS)


@pytest.fixture
def smtp(kartoteka_smtp: SmtpSink) -> SmtpSink:
    """The test kit's SMTP sink, under the name the marketing tests use."""
    return kartoteka_smtp
