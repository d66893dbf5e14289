"""Errors the core raises. Each names what is wrong so an operator can fix it."""


class KartotekaError(Exception):
    """Base class of every error Kartoteka raises on purpose."""


class ConfigError(KartotekaError):
    """A setting or plugins.toml entry is invalid; start-up stops."""

    def __init__(self, key: str, problem: str):
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}")


class PluginError(KartotekaError):
    """A plugin cannot be loaded or contributes something that conflicts."""


class SchemaCompositionError(PluginError):
    """The GraphQL schema cannot be composed from the enabled plugins."""


class DomainError(KartotekaError):
    """A business rule refused an operation; carries a stable code and a field path.

    Raised by services and synchronous event subscribers (a veto); mutations turn it into
    `userErrors` and the surrounding transaction is rolled back.
    """

    def __init__(self, code: str, message: str, field: tuple[str, ...] | list[str] | None = None, **params: object):
        self.code = code
        self.message = message  # an English template, translated for the reader (core.i18n)
        self.params = params
        self.field = list(field) if field else []
        super().__init__(f"{code}: {message.format(**params) if params else message}")


class PermanentJobFailure(KartotekaError):
    """Raised by a job or subscriber when retrying cannot help; the delivery goes dead at once."""


def camel_case(name: str) -> str:
    """``preferred_language`` → ``preferredLanguage``: the spelling of field paths in errors."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
