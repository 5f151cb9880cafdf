"""One modelwatch writer per warehouse: `run`, `demo` and `alerts --notify` hold a lock for their
whole duration, so a second one exits 2 at once with one line instead of failing half-way.

Without it, two runs on one DuckDB file both spent ~16 s parsing, then the second failed on
DuckDB's own file lock with a multi-line IO error (and whichever opened the file first won, so
a run could also lose to a notifier that started later); on PostgreSQL nothing stopped two builds
from replacing the same tables at once. DuckDB: an flock on `<file>.lock` next to the database
(released by the kernel when the process dies, so kill -9 leaves nothing stale; the file itself
stays, deleting it would race). PostgreSQL: a session advisory lock keyed on the output schema.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modelwatch.config import Warehouse


class WarehouseBusy(RuntimeError):
    """Another modelwatch process is writing to this warehouse."""


# locks this process holds, by key: re-entrant (`demo` locks, then its run locks again; an
# flock taken twice by one process on two descriptors would block itself)
_held: dict[str, list[Any]] = {}


def lock_path(duckdb_path: Path) -> Path:
    return duckdb_path.with_name(duckdb_path.name + ".lock")


@contextlib.contextmanager
def warehouse_lock(warehouse: Warehouse, what: str) -> Iterator[None]:
    """Hold the warehouse's modelwatch lock for the block, or raise WarehouseBusy (no waiting:
    a scheduled run that collides should fail loudly, not pile up behind a stuck one)."""
    if warehouse.type == "duckdb" and warehouse.duckdb_path is not None:
        key = f"duckdb:{Path(warehouse.duckdb_path).resolve()}"
        acquire = _duckdb_lock
    elif warehouse.type == "postgres":
        key = f"postgres:{warehouse.schema}"
        acquire = _postgres_lock
    else:  # engines without a lock here (Spark) rely on their own
        yield
        return
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    release = acquire(warehouse, what)
    _held[key] = [release, 1]
    try:
        yield
    finally:
        del _held[key]
        release()


def _duckdb_lock(warehouse: Warehouse, what: str) -> Any:
    path = lock_path(Path(warehouse.duckdb_path).resolve())  # type: ignore[arg-type]
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "modelwatch"
        os.close(fd)
        raise WarehouseBusy(
            f"another {holder} is using {warehouse.duckdb_path}; "
            f"try again when it has finished (lock: {path})"
        ) from None
    # who holds it, for the message the next one prints
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"modelwatch {what} (pid {os.getpid()})".encode(), 0)

    def release() -> None:
        os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock

    return release


def _postgres_lock(warehouse: Warehouse, what: str) -> Any:
    from modelwatch.warehouse import _pg_connect

    con = _pg_connect(warehouse)
    con.autocommit = True
    with con.cursor() as cursor:
        cursor.execute(
            "select pg_try_advisory_lock(hashtext(%s))", (f"modelwatch.run.{warehouse.schema}",)
        )
        (got,) = cursor.fetchone()
    if not got:
        con.close()
        raise WarehouseBusy(
            f"another modelwatch run or alerts --notify is using schema {warehouse.schema} "
            "of this PostgreSQL database; try again when it has finished"
        )
    return con.close  # the session's end releases the advisory lock
