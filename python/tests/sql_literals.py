"""Bare decimal literals in the project's SQL (models/, macros/): on Spark `1.0` is a DECIMAL and
decimal arithmetic rounds (1.0 * 1 / 424 = 0.002358490566, not 0.0023584905660377358), so every
non-integer constant goes through modelwatch.double_literal, a DOUBLE on every engine.

Checked: template text outside Jinja (SQL comments and SQL string literals skipped) and Jinja
string literals inside tags (the SQL fragments macros build). Jinja numbers (config values),
YAML data documents (a `{% set x %}` block read with `fromyaml(x)`, or returned by a macro
read with `fromyaml(modelwatch.the_macro())`: the config schema, the check catalog), error
messages and exponent literals (`1e-300`, a DOUBLE on every engine) are not flagged.
Run as a script, it lists what it finds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+)(?![\w.])")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
JINJA_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.S)
SET_BLOCK = re.compile(r"\{%-?\s*set\s+(\w+)\s*-?%\}.*?\{%-?\s*endset\s*-?%\}", re.S)
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)")
SQL_COMMENT = re.compile(r"--[^\n]*")
SQL_STRING = re.compile(r"'(?:[^']|'')*'")
# the helper's own argument, and tags that build error messages (prose, not SQL)
HELPER_ARGUMENT = re.compile(r"double_literal\(\s*$")
MESSAGE_TAG = re.compile(r"errors\.append\(|raise_compiler_error\(")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def find_bare_decimals(text: str) -> list[tuple[int, str, str]]:
    """(offset, literal, context) of every bare decimal literal in one file's text; context is
    'sql' (template text) or the quote character of the Jinja string holding it."""
    text = JINJA_COMMENT.sub(_blank, text)
    for block in SET_BLOCK.finditer(text):
        macros = MACRO.findall(text[: block.start()])
        macro = macros[-1] if macros else "-"
        read_as_yaml = rf"fromyaml\(\s*({block.group(1)}|modelwatch\.{macro}\(\s*\))\s*\)"
        if re.search(read_as_yaml, text):
            text = text[: block.start()] + _blank(block) + text[block.end() :]
    found: list[tuple[int, str, str]] = []
    sql = list(text)
    for tag in JINJA_TAG.finditer(text):
        sql[tag.start() : tag.end()] = _blank(tag)
        if MESSAGE_TAG.search(tag.group(0)):
            continue
        for string in JINJA_STRING.finditer(tag.group(0)):
            if HELPER_ARGUMENT.search(tag.group(0)[: string.start()]):
                continue
            quote = string.group(0)[0]
            body = SQL_COMMENT.sub(_blank, string.group(0)[1:-1])
            if quote == '"':
                body = SQL_STRING.sub(_blank, body)
            offset = tag.start() + string.start() + 1
            found.extend((offset + m.start(), m.group(0), quote) for m in DECIMAL.finditer(body))
    plain = SQL_STRING.sub(_blank, SQL_COMMENT.sub(_blank, "".join(sql)))
    found.extend((m.start(), m.group(0), "sql") for m in DECIMAL.finditer(plain))
    return sorted(found)


def project_bare_decimals(root: Path = ROOT) -> list[str]:
    """'path:line: literal' for every bare decimal literal under models/ and macros/."""
    out = []
    for folder in ("models", "macros"):
        for path in sorted((root / folder).rglob("*.sql")):
            text = path.read_text(encoding="utf-8")
            for offset, literal, _ in find_bare_decimals(text):
                line = text.count("\n", 0, offset) + 1
                out.append(f"{path.relative_to(root)}:{line}: {literal}")
    return out


if __name__ == "__main__":
    problems = project_bare_decimals()
    print("\n".join(problems))
    sys.exit(1 if problems else 0)
