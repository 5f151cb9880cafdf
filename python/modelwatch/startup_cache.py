"""A disk cache for the dbt start-up work that depends only on installed code, not on the run.

Every dbt process builds the JSON schemas of its config dataclasses (mashumaro, ~0.7 s), turns
every Jinja template it meets into Python bytecode (~0.9 s for this project) and parses every
macro's text into a Jinja syntax tree twice (to find its name, then the macros it calls; ~1 s
for the ~800 macros of dbt, its adapters and this project), then throws all of it away. All are
pure functions of the installed packages and the template text, so modelwatch keeps them in one
file between runs, like Python keeps .pyc files: measured on the 1M-row drift benchmark, a cold
dbt start-up of ~5 s dropped by ~1.5 s with the first two.

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
import io
import marshal
import os
import pickle
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 2
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
# beyond this many templates (or syntax trees) their store starts over (config-specific test
# templates accumulate)
MAX_TEMPLATES = 20000


class _State:
    def __init__(self) -> None:
        self.installed = False
        self.path: Path | None = None
        self.schemas: dict[str, Any] = {}
        self.templates: dict[str, bytes] = {}
        self.syntax_trees: dict[str, bytes] = {}
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
        _patch_jinja_parse()
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
        syntax_trees = dict(loaded["syntax_trees"])
    except FileNotFoundError:
        return
    except Exception:  # noqa: BLE001 -- truncated, foreign or from another pickle protocol
        _state.dirty = True
        return
    _state.schemas, _state.templates, _state.syntax_trees = schemas, templates, syntax_trees


def save() -> None:
    """Write new entries (atomically: concurrent runs each leave a whole file)."""
    path = _state.path
    if path is None or not _state.dirty:
        return
    with _state.lock:
        payload = {
            "schemas": dict(_state.schemas),
            "templates": dict(_state.templates),
            "syntax_trees": dict(_state.syntax_trees),
        }
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


def _template_key(env: Any, *arguments: Any) -> str:
    """A Jinja cache key: the environment's signature and the call's arguments."""
    return hashlib.sha1(repr((_environment_signature(env), *arguments)).encode()).hexdigest()


def _remember(store: dict[str, bytes], key: str, value: bytes) -> None:
    """Keep a new entry for save(); a store reaching MAX_TEMPLATES entries starts over."""
    with _state.lock:
        if len(store) >= MAX_TEMPLATES:
            store.clear()
        store[key] = value
        _state.dirty = True


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
        key = _template_key(self, source, name, filename, defer_init)
        cached = _state.templates.get(key)
        if cached is not None:
            return marshal.loads(cached)
        code = original(self, source, name, filename, raw, defer_init)
        _remember(_state.templates, key, marshal.dumps(code))
        return code

    environment_class.compile = compile  # type: ignore[method-assign]


class _TreePickler(pickle.Pickler):
    """Pickles a syntax tree with its Jinja environment left out (restored as the caller's)."""

    def __init__(self, file: Any, environment: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.environment = environment

    def persistent_id(self, obj: Any) -> str | None:
        import jinja2

        if obj is self.environment:
            return "environment"
        if isinstance(obj, jinja2.Environment):
            raise pickle.PicklingError("a syntax tree refers to another environment")
        return None


class _TreeUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, environment: Any) -> None:
        super().__init__(file)
        self.environment = environment

    def persistent_load(self, pid: Any) -> Any:
        if pid != "environment":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return self.environment


def _patch_jinja_parse() -> None:
    """Cache the syntax trees dbt parses macros into (every caller gets a fresh copy)."""
    from dbt_common.clients import jinja as dbt_jinja

    environment_class = dbt_jinja.MacroFuzzEnvironment
    original = environment_class._parse

    def _parse(self: Any, source: str, name: str | None, filename: str | None) -> Any:
        if not isinstance(source, str):
            return original(self, source, name, filename)
        key = _template_key(self, source, name, filename)
        cached = _state.syntax_trees.get(key)
        if cached is not None:
            return _TreeUnpickler(io.BytesIO(cached), self).load()
        tree = original(self, source, name, filename)
        buffer = io.BytesIO()
        try:
            _TreePickler(buffer, self).dump(tree)
        except Exception:  # noqa: BLE001 -- a tree that does not pickle is simply not kept
            return tree
        _remember(_state.syntax_trees, key, buffer.getvalue())
        return tree

    environment_class._parse = _parse  # type: ignore[method-assign]
