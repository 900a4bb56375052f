"""A database connection of one writer's own, kept apart from the threads' connections.

Django gives every thread its own connection. A group commit's batches
(``core.groupcommit``) are written by a caller or by the group's relay thread, so with
sixteen threads sixteen database sessions would take turns settling batches, each one cold
when its turn comes: measured on the ledger's benchmark, settling every batch on one warm
session of its own was about a fifth faster (docs/performance.md). ``OwnConnection.use()``
makes that session the current thread's connection for the length of a block, for one
thread at a time.

It is opened on first use, reopened after a failure like any Django connection (the
caller's error handling closes an unusable one), never shared across a fork (a child
process opens its own; the parent's is closed before forking when it is idle; a child
forked while a thread was using it gets a fresh lock, since that thread does not exist in
the child), and closed by ``close()``.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

_ALL: weakref.WeakSet[OwnConnection] = weakref.WeakSet()


class OwnConnection:
    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self._alias = alias
        self._lock = threading.Lock()
        self._wrapper: BaseDatabaseWrapper | None = None
        # A session inherited through a fork is the parent's: never closed or used here,
        # and kept referenced so that no finaliser ends it from this process either.
        self._inherited: list[BaseDatabaseWrapper] = []
        _ALL.add(self)

    @contextmanager
    def use(self) -> Iterator[BaseDatabaseWrapper]:
        """This connection as the thread's ``django.db.connection`` inside the block."""
        with self._lock:
            if self._wrapper is None:
                self._wrapper = connections.create_connection(self._alias)
                self._wrapper.inc_thread_sharing()  # used by whichever thread writes
            previous = connections[self._alias]
            connections[self._alias] = self._wrapper
            try:
                yield self._wrapper
            finally:
                connections[self._alias] = previous

    def close(self, *, wait: bool = True) -> None:
        """Close the session (the next ``use()`` opens a new one). With ``wait=False``,
        only if no block is using it right now."""
        if not self._lock.acquire(blocking=wait):
            return
        try:
            if self._wrapper is not None:
                self._wrapper.close()
            self._wrapper = None
        finally:
            self._lock.release()


def close_all() -> None:
    """Close every own connection of this process (tests, before dropping a database)."""
    for own in list(_ALL):
        own.close()


def _before_fork() -> None:
    for own in list(_ALL):
        own.close(wait=False)


def _after_fork_in_child() -> None:
    # The child has only the forking thread: a lock held by another one would never be
    # released here, and a session still open is the parent's (kept, never used).
    for own in list(_ALL):
        own._lock = threading.Lock()
        if own._wrapper is not None:
            own._inherited.append(own._wrapper)
            own._wrapper = None


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
