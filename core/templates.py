"""Templates administrators write: notification rules, campaigns, occasion mailings.

Jinja2's immutable sandbox renders them, so a template can read the data it is given and
nothing else (no attribute starting with ``_``, no changing lists, no Python escape hatches).
Mistakes are caught when the template is saved, not when the first recipient's mail fails:
:func:`check_template` parses it, refuses every variable or attribute the caller did not
declare (with the line) and renders it once against sample data.

Variables are declared as a nested mapping: ``{"recipient": {"first_name": "Anna", …}}``; a
mapping is an object whose attributes are checked (an empty one is open: any key, as custom
fields are), anything else is a leaf whose value doubles
as the sample used for the trial render and for previews.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from core.errors import DomainError
from core.i18n import _

TEMPLATE_NAME = "<template>"
MAX_TEMPLATE_LENGTH = 200_000


def _money(value: Any, currency: str = "PLN", locale: str = "pl") -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_currency(amount, currency, locale=locale)


def _number(value: Any, locale: str = "pl") -> str:
    try:
        return format_decimal(Decimal(str(value)), locale=locale)
    except (InvalidOperation, ValueError):
        return str(value)


def _date(value: Any, style: str = "long", locale: str = "pl") -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, style, locale=locale)
    if isinstance(value, date):
        return format_date(value, style, locale=locale)
    return "" if value is None else str(value)


def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True
    )
    environment.filters.update(money=_money, number=_number, date=_date)
    return environment


_TEXT = _environment(html=False)
_HTML = _environment(html=True)


def _fail(code: str, message: str, path: list[str], **params: Any) -> DomainError:
    return DomainError(code, message, path, **params)


def _line_of_render_error() -> int | None:
    """Jinja2 rewrites tracebacks so template frames carry the template's own line numbers."""
    line = None
    traceback = sys.exc_info()[2]
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _declared(variables: Mapping[str, Any], chain: list[str]) -> tuple[bool, Any]:
    """Whether ``a.b.c`` is declared; the declared value of the longest known prefix."""
    current: Any = variables
    for name in chain:
        if not isinstance(current, Mapping) or not current:
            return True, current  # a leaf or an open mapping (custom fields): any key is fine
        if name not in current:
            return False, current
        current = current[name]
    return True, current


def _attribute_chain(node: nodes.Node) -> list[str] | None:
    """``recipient.company.name`` (or ``recipient["company"]``) as names; None when not plain."""
    names: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            names.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            names.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            names.append(node.name)
            return list(reversed(names))
        else:
            return None


def _local_names(tree: nodes.Template) -> set[str]:
    """Names the template binds itself (loop variables, ``set``, macro arguments)."""
    bound: set[str] = {"loop", "caller", "varargs", "kwargs"}
    for node in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.CallBlock)):
        targets: list[nodes.Node] = []
        if isinstance(node, nodes.For | nodes.Assign | nodes.AssignBlock):
            targets = [node.target]
        if isinstance(node, nodes.Macro):
            bound.add(node.name)
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            targets += list(node.args)
        for target in targets:
            bound.update(name.name for name in target.find_all(nodes.Name))
            if isinstance(target, nodes.Name):
                bound.add(target.name)
    return bound


def check_template(source: str, variables: Mapping[str, Any], path: list[str], *, html: bool = False) -> None:
    """Refuse a template that does not parse, names what is not declared or fails on sample data.

    Raises :class:`DomainError` whose ``line`` parameter says where."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise _fail("TOO_LONG", _("At most {limit} characters."), path, limit=MAX_TEMPLATE_LENGTH)
    environment = _HTML if html else _TEXT
    try:
        tree = environment.parse(source, name=TEMPLATE_NAME)
    except TemplateSyntaxError as error:
        raise _fail(
            "TEMPLATE_SYNTAX", _("Line {line}: {problem}"), path, line=error.lineno, problem=error.message or ""
        ) from None
    local = _local_names(tree) | set(environment.globals)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        attribute = node.attr if isinstance(node, nodes.Getattr) else None
        if attribute is not None and attribute.startswith("_"):
            raise _fail(
                "TEMPLATE_FORBIDDEN",
                _("Line {line}: {name} is not allowed in templates."),
                path,
                line=node.lineno,
                name=attribute,
            )
        chain = _attribute_chain(node)
        if not chain or chain[0] in local or (isinstance(node, nodes.Name) and node.ctx != "load"):
            continue
        known, scope = _declared(variables, chain)
        if not known:
            available = ", ".join(sorted(scope)) if isinstance(scope, Mapping) else ""
            raise _fail(
                "TEMPLATE_UNKNOWN_VARIABLE",
                _("Line {line}: {name} is not available here. Available: {available}."),
                path,
                line=node.lineno,
                name=".".join(chain),
                available=available,
            )
    try:
        environment.from_string(tree).render(sample_context(variables))
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        raise _fail(
            "TEMPLATE_ERROR",
            _("Line {line}: {problem}"),
            path,
            line=_line_of_render_error() or 1,
            problem=str(error),
        ) from None


class _OpenSample(dict):
    """Sample of an open mapping (custom fields): every key reads as an empty value."""

    def __missing__(self, key: str) -> str:
        return ""


def sample_context(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The declared variables with their sample values (a preview without a real recipient)."""
    if not variables:
        return _OpenSample()
    return {name: sample_context(value) if isinstance(value, Mapping) else value for name, value in variables.items()}


class TemplateRenderError(Exception):
    """A checked template failed on real data (a value of an unexpected type)."""

    def __init__(self, line: int | None, problem: str):
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: {problem}")


def render_template(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    environment = _HTML if html else _TEXT
    try:
        return environment.from_string(source).render(context)
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateRenderError(_line_of_render_error(), str(error)) from error
