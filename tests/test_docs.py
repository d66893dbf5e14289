"""The documentation says what the repository does: HTTP endpoints, the shipped plugins.toml."""

import re
import tomllib
from pathlib import Path

from core.app import create_app
from core.runtime import Runtime
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def _readme_endpoints() -> list[str]:
    """The paths of the README's table of HTTP endpoints, parameters as ``{}``."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## HTTP endpoints", 1)[1].split("\n## ", 1)[0]
    paths = []
    for row in section.splitlines():
        if row.startswith("| `"):
            for cell in re.findall(r"`(?:[A-Z]+ )?(/[^`]*)`", row.split("|")[1]):
                paths.append(re.sub(r"\{[^}]*\}", "{}", cell))
    return paths


def test_the_readme_documents_every_http_endpoint():
    """Every route the app mounts (with the repository's plugins) is in the README's table;
    ``/prefix/…`` stands for the routes under a prefix that another page documents."""
    runtime = Runtime.boot(
        load_settings(environ={}, database_url="sqlite:///:memory:", plugins_file=ROOT / "plugins.toml")
    )
    documented = _readme_endpoints()
    documented += [path.removesuffix(".ics") for path in documented]  # the feed's token ends in .ics
    prefixes = [path.removesuffix("…") for path in documented if path.endswith("…")]
    missing = []
    for route in create_app(runtime=runtime).routes:
        path = re.sub(r"\{[^}]*\}", "{}", route.path)
        if path.startswith("/schema"):  # the framework's OpenAPI pages
            continue
        if path not in documented and not any(path.startswith(prefix) for prefix in prefixes):
            missing.append(route.path)
    assert missing == []
    assert "/plugins/core/attachments" in documented and "/plugins/core/attachments/{}" in documented
    assert "replaces" in (ROOT / "README.md").read_text()


def test_the_sales_page_shows_the_repositorys_plugins_toml():
    """docs/sales.md shows the sales settings of the repository's plugins.toml, key for key."""
    page = (ROOT / "docs" / "sales.md").read_text()
    block = re.search(r"```toml\n(\[plugins\.sales\].*?)```", page, re.DOTALL)
    assert block is not None
    shown = tomllib.loads(block.group(1))["plugins"]["sales"]
    shipped = tomllib.loads((ROOT / "plugins.toml").read_text())["plugins"]["sales"]
    assert shown == shipped


def test_the_package_license_is_an_spdx_expression():
    """A TOML table for project.license is deprecated (setuptools warns on every install);
    a string needs setuptools 77 or later to build."""
    from packaging.licenses import canonicalize_license_expression
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    license_expression = pyproject["project"]["license"]
    assert isinstance(license_expression, str)
    assert canonicalize_license_expression(license_expression) == license_expression
    [setuptools] = [Requirement(r) for r in pyproject["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains("76.9") and setuptools.specifier.contains("77.0")
