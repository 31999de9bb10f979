"""Validated warehouse table names: the only way a table name reaches SQL text.

Names must be lowercase identifiers (``schema.table`` or ``table``). Anything else, such as
``x; DROP TABLE raw_transactions`` or ``.orders`` (an empty schema), is refused before any SQL is
built or run. Valid names are still quoted by the dialect when they are put into SQL.

A build writes a new version under a staging name that ends in ``-staging``. The hyphen is
outside the identifier pattern, so no table a user names can ever be that staging table: the
build alone creates and drops it.
"""

import re
from dataclasses import dataclass

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
MAX_IDENTIFIER_LENGTH = 54  # PostgreSQL's 63, less room for the staging suffix
STAGING_SUFFIX = "-staging"


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
        schema, dot, name = qualified.rpartition(".")
        if dot and not schema:
            raise InvalidTableNameError(
                f"{qualified!r} has an empty schema: write 'schema.table' (for example "
                f"'{default_schema}.{name}') or just 'table'. No SQL was run."
            )
        return cls(schema=schema or default_schema, name=name)

    def staging(self) -> "TableName":
        """Where a new version of this table is built before it replaces the current one."""
        return StagingTableName(self.schema, self.name + STAGING_SUFFIX)

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class StagingTableName(TableName):
    """The build's own name for a table's next version: a valid name plus ``-staging``."""

    def __post_init__(self) -> None:
        if not self.name.endswith(STAGING_SUFFIX):
            raise InvalidTableNameError(f"'{self}' is not a staging table name")
        TableName(self.schema, self.name.removesuffix(STAGING_SUFFIX))  # validates the rest
