"""The sales plugin enabled (with the sample plugin, as in every test deployment)."""

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PLUGINS, write_plugins

SALES_PLUGINS = (
    SAMPLE_PLUGINS
    + """
[plugins.sales]
enabled = true
[plugins.sales.config]
currency = "PLN"
rates = { EUR = "4.25" }
stuck_after_days = 10
"""
)


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", SALES_PLUGINS)
