"""Rules of administrator-written templates: checked at save time with the line, sandboxed."""

import pytest

from core.crm.merge_fields import PERSON_VARIABLES
from core.errors import DomainError
from core.templates import TemplateRenderError, check_template, render_template, sample_context

VARIABLES = {"recipient": PERSON_VARIABLES, "campaign": {"name": "Jesień"}, "prices": {}}


def problem(source: str, *, html: bool = False) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_template(source, VARIABLES, ["input", "text"], html=html)
    assert caught.value.field == ["input", "text"]
    return caught.value


@pytest.mark.parametrize(
    "source",
    [
        "Dzień dobry {{ recipient.first_name }},",
        "{{ recipient.company.name }} / {{ recipient['company']['nip'] }}",
        "{% for x in [1, 2] %}{{ x }}{{ loop.index }}{% endfor %}",
        "{% set greeting = 'Hej' %}{{ greeting }} {{ recipient.full_name|upper }}",
        "{{ recipient.custom.anything }}",  # custom fields vary per deployment: a leaf
        "{{ 1234.5|money('PLN') }} {{ '2026-12-24'|date }} {{ range(3)|list|length }}",
        "{% if recipient.owner.name %}{{ recipient.owner.email }}{% endif %}",
        "{% macro hello(who) %}Hi {{ who }}{% endmacro %}{{ hello(recipient.first_name) }}",
        "{{ prices.whatever }}",
    ],
)
def test_accepted(source):
    check_template(source, VARIABLES, ["text"])


def test_syntax_error_names_the_line():
    error = problem("Hello\n{{ recipient.first_name }\nbye")
    assert error.code == "TEMPLATE_SYNTAX"
    assert error.params["line"] == 2


def test_unknown_variable_names_line_and_what_is_available():
    error = problem("Hello\n\n{{ recipient.first_nam }}")
    assert error.code == "TEMPLATE_UNKNOWN_VARIABLE"
    assert error.params["line"] == 3
    assert error.params["name"] == "recipient.first_nam"
    assert "first_name" in error.params["available"]


def test_unknown_top_level_variable():
    error = problem("{{ secret_key }}")
    assert (error.code, error.params["name"]) == ("TEMPLATE_UNKNOWN_VARIABLE", "secret_key")


def test_unknown_nested_attribute():
    assert problem("{{ recipient.company.iban }}").params["name"] == "recipient.company.iban"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ recipient.__dict__ }}",
        "{{ recipient.first_name.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_escape_attempts_are_refused_at_save(source):
    assert problem(source).code == "TEMPLATE_FORBIDDEN"


def test_sandbox_refuses_mutation_at_render():
    error = problem("line one\n{{ [1].append(2) }}")
    assert error.code == "TEMPLATE_ERROR"
    assert error.params["line"] == 2


def test_render_error_on_real_data_carries_the_line():
    with pytest.raises(TemplateRenderError) as caught:
        render_template("a\n{{ 1 / n }}", {"n": 0})
    assert caught.value.line == 2


def test_html_escapes_values_and_text_does_not():
    context = {"recipient": {"first_name": "<b>Ala</b> & Co"}}
    assert render_template("{{ recipient.first_name }}", context, html=True) == "&lt;b&gt;Ala&lt;/b&gt; &amp; Co"
    assert render_template("{{ recipient.first_name }}", context) == "<b>Ala</b> & Co"


def test_money_and_dates_follow_the_locale():
    assert render_template("{{ 1234.5|money('PLN') }}", {}) == "1\xa0234,50\xa0zł"
    assert render_template("{{ 1234.5|money('EUR', 'en') }}", {}) == "€1,234.50"
    assert render_template("{{ '2026-12-24'|date }}", {}) == "24 grudnia 2026"


def test_sample_context_is_the_declared_samples():
    assert sample_context(VARIABLES)["recipient"]["company"]["name"] == PERSON_VARIABLES["company"]["name"]
