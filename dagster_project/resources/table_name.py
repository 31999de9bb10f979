"""Validated warehouse table names: the only way a table name reaches SQL text.

Names must be lowercase identifiers (``schema.table`` or ``table``). Anything else, such as
``x; DROP TABLE raw_transactions``, is refused before any SQL is built or run. Valid names are
still quoted by the dialect when they are put into SQL.
"""

import re
from dataclasses import dataclass

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
MAX_IDENTIFIER_LENGTH = 54  # PostgreSQL's 63, less room for the "__staging" suffix
STAGING_SUFFIX = "__staging"


class InvalidTableNameError(ValueError):
    """A table or schema name does not match the strict identifier pattern."""


@dataclass(frozen=True)
class TableName:
    """A schema-qualified table name whose parts are known to be safe identifiers."""

    schema: str
    name: str

    def __post_init__(self) -> None:
        for part in (self.schema, self.name):
            if not IDENTIFIER.fullmatch(part) or len(part) > MAX_IDENTIFIER_LENGTH:
                raise InvalidTableNameError(
                    f"'{self.schema}.{self.name}' is not a valid table name: each part must be "
                    f"lowercase letters, digits and underscores (not starting with a digit, at "
                    f"most {MAX_IDENTIFIER_LENGTH} characters). No SQL was run."
                )

    @classmethod
    def parse(cls, qualified: str, default_schema: str) -> "TableName":
        """``schema.table`` or ``table`` (in ``default_schema``)."""
        if not isinstance(qualified, str) or qualified.count(".") > 1:
            raise InvalidTableNameError(
                f"{qualified!r} is not a valid table name: use 'table' or 'schema.table'. "
                "No SQL was run."
            )
        schema, _, name = qualified.rpartition(".")
        return cls(schema=schema or default_schema, name=name)

    def staging(self) -> "TableName":
        """Where a new version of this table is built before it replaces the current one."""
        return TableName(self.schema, self.name + STAGING_SUFFIX)

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"
