"""A disk cache for the dbt start-up work that depends only on installed code, not on the run.

Every dbt process builds the JSON schemas of its config dataclasses (mashumaro, ~0.7 s) and turns
every Jinja template it meets into Python bytecode (~0.9 s for this project), then throws both
away. Both are pure functions of the installed packages and the template text, so modelwatch
keeps them in one file between runs, like Python keeps .pyc files: measured on the 1M-row drift
benchmark, a cold dbt start-up of ~5 s drops by ~1.5 s.

Correctness rests on the keys: the file is named after the versions of Python and of every
package whose code shapes the result (a `pip install` of another version starts a new file), a
schema is keyed by its class, and a template by its text plus everything in the Jinja
environment that shapes the generated code. An unreadable file counts as empty and is replaced;
anything else unexpected (a missing attribute after a dbt upgrade) disables the cache for the
process, never the run.

MODELWATCH_STARTUP_CACHE=off disables it; MODELWATCH_CACHE_DIR moves it (default
$XDG_CACHE_HOME/modelwatch or ~/.cache/modelwatch).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 1
# packages whose code decides the schemas and the generated template code (every adapter this
# project can run on; listing all installed distributions would cost 70 ms a run)
PACKAGES = (
    "dbt-core",
    "dbt-common",
    "dbt-adapters",
    "dbt-extractor",
    "dbt-semantic-interfaces",
    "dbt-duckdb",
    "dbt-postgres",
    "dbt-spark",
    "mashumaro",
    "jinja2",
    "markupsafe",
)
# beyond this many templates the file starts over (config-specific test templates accumulate)
MAX_TEMPLATES = 20000


class _State:
    def __init__(self) -> None:
        self.installed = False
        self.path: Path | None = None
        self.schemas: dict[str, Any] = {}
        self.templates: dict[str, bytes] = {}
        self.dirty = False
        self.lock = threading.Lock()


_state = _State()


def cache_dir() -> Path:
    configured = os.environ.get("MODELWATCH_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelwatch"


def _versions_key() -> str:
    parts = [f"format={FORMAT}", f"python={sys.version}"]
    for package in PACKAGES:
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}=-")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def install() -> bool:
    """Patch dbt's schema builder and Jinja compiler to use the cache (once per process)."""
    if _state.installed:
        return _state.path is not None
    _state.installed = True
    if os.environ.get("MODELWATCH_STARTUP_CACHE", "").lower() in ("off", "0", "false", "no"):
        return False
    try:
        path = cache_dir() / f"dbt-startup-{_versions_key()}.pickle"
        _load(path)
        _patch_json_schema()
        _patch_jinja()
    except Exception:  # noqa: BLE001 -- a cache must never break a run
        return False
    _state.path = path
    return True


def _load(path: Path) -> None:
    """Read the file; an unreadable one counts as empty (save() replaces it)."""
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
        schemas, templates = dict(loaded["schemas"]), dict(loaded["templates"])
    except FileNotFoundError:
        return
    except Exception:  # noqa: BLE001 -- truncated, foreign or from another pickle protocol
        _state.dirty = True
        return
    _state.schemas, _state.templates = schemas, templates


def save() -> None:
    """Write new entries (atomically: concurrent runs each leave a whole file)."""
    path = _state.path
    if path is None or not _state.dirty:
        return
    with _state.lock:
        payload = {"schemas": dict(_state.schemas), "templates": dict(_state.templates)}
        _state.dirty = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # read-only home, full disk: the next run rebuilds what it needs


def _patch_json_schema() -> None:
    from dbt.artifacts.schemas.base import VersionedSchema
    from dbt_common.dataclass_schema import dbtClassMixin

    for owner in (dbtClassMixin, VersionedSchema):
        original = owner.__dict__["json_schema"].__func__  # lru_cache-wrapped function

        def json_schema(cls: type, _original: Any = original, _owner: str = owner.__name__) -> Any:
            key = f"{_owner}:{cls.__module__}.{cls.__qualname__}"
            schema = _state.schemas.get(key)
            if schema is None:
                schema = _original(cls)
                with _state.lock:
                    _state.schemas[key] = schema
                    _state.dirty = True
            return schema

        owner.json_schema = classmethod(json_schema)  # type: ignore[method-assign]


def _environment_signature(env: Any) -> tuple:
    """Everything in a Jinja environment that the generated code depends on."""
    return (
        type(env).__module__,
        type(env).__qualname__,
        env.code_generator_class.__module__,
        env.code_generator_class.__qualname__,
        tuple(sorted(env.extensions)),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
        tuple(sorted(env.filters)),
        tuple(sorted(env.tests)),
    )


def _patch_jinja() -> None:
    from dbt_common.clients import jinja as dbt_jinja

    environment_class = dbt_jinja.MacroFuzzEnvironment
    original = environment_class.compile

    def compile(  # noqa: A001 -- Jinja's method name
        self: Any,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        # raw output, parsed nodes and macro debugging (which writes linecache) go uncached
        if raw or not isinstance(source, str) or dbt_jinja.MACRO_DEBUGGING:
            return original(self, source, name, filename, raw, defer_init)
        key = hashlib.sha1(
            repr((_environment_signature(self), source, name, filename, defer_init)).encode()
        ).hexdigest()
        cached = _state.templates.get(key)
        if cached is not None:
            return marshal.loads(cached)
        code = original(self, source, name, filename, raw, defer_init)
        with _state.lock:
            if len(_state.templates) >= MAX_TEMPLATES:
                _state.templates.clear()
            _state.templates[key] = marshal.dumps(code)
            _state.dirty = True
        return code

    environment_class.compile = compile  # type: ignore[method-assign]
