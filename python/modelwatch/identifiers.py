"""The one place Python checks and quotes a user-supplied SQL identifier (schema, table, column).

The rules are those of macros/config/get_config.sql `name_problem` (the dbt side); the tests check
that both give the same verdict on the same hostile names. A name is always quoted, never pasted
raw; what quoting cannot make safe is refused:
- quotes of any kind inside a name are refused rather than doubled: dbt's own macros paste schema
  names into string literals, and some drivers and BI tools split on them;
- backslashes and semicolons (escape and statement-separator confusion across engines);
- control characters (C0, DEL, C1), line/paragraph separators and bidirectional overrides: they
  corrupt terminals, logs and HTML and can disguise a name;
- schemas also may not hold a dot (it would read as database.schema) and must fit PostgreSQL's
  63-byte identifier limit with the `_audit` suffix dbt adds for stored test failures.
Everything else, unicode included (`Debt Ratio`, `émission`, `emoji_📈`), is quoted and works.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_REFUSED = ('"', "`", "\\", ";")
MAX_NAME_CHARS = 128
# PostgreSQL truncates identifiers at 63 bytes; the audit schema adds "_audit" (6 bytes)
MAX_SCHEMA_BYTES = 63 - len("_audit")


def name_problem(name: object, kind: str = "name") -> str | None:
    """Why `name` cannot be used as an identifier of this kind ('name' or 'schema'), else None."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty name"
    if len(name) > MAX_NAME_CHARS:
        return f"is longer than {MAX_NAME_CHARS} characters"
    if _CONTROL.search(name):
        return "contains a control character"
    if any(bad in name for bad in _REFUSED):
        return "contains a quote, backtick, backslash or semicolon"
    if kind == "schema":
        if "'" in name or "." in name:
            return "contains a quote or a dot"
        if len(name.encode("utf-8")) > MAX_SCHEMA_BYTES:
            return f"is longer than {MAX_SCHEMA_BYTES} bytes"
    return None


def check(name: object, where: str, kind: str = "name") -> str:
    """`name` if usable, else ConfigError naming the config key `where`."""
    from modelwatch.config import ConfigError

    problem = name_problem(name, kind)
    if problem is not None:
        raise ConfigError(
            f"{where} {printable(name)} {problem}; rename it (in a view, for a column)"
        )
    return name  # type: ignore[return-value]


def quote(name: str) -> str:
    """A double-quoted identifier (DuckDB, PostgreSQL) of a name that passed name_problem."""
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(f"identifier {printable(name)} {problem}")
    return f'"{name}"'


def relation(schema: str, table: str) -> str:
    """schema.table, each part quoted."""
    return f"{quote(schema)}.{quote(table)}"


def schema_relation(schema: str, table: str) -> str:
    """schema.table in the output schema: the schema checked as one (ConfigError naming
    warehouse.schema), both parts quoted."""
    check(schema, "warehouse.schema", kind="schema")
    return relation(schema, table)


def literal(value: object) -> str:
    """A single-quoted SQL string literal (quotes doubled), for catalog lookups by name."""
    return "'" + str(value).replace("'", "''") + "'"


def printable(value: object) -> str:
    """A value for a one-line message, quoted, with control characters escaped (never raw)."""
    return repr(value)


def terminal_safe(text: str) -> str:
    """Text from the warehouse made safe to print: control characters shown as \\xNN / \\uNNNN."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
