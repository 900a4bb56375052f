"""Group commit: concurrent callers in one process share one transaction.

A commit costs a round trip and a flush of the write-ahead log to disk; a write that
holds a lock until its commit (the ledger's, see ``ledger.services``) serialises every
writer behind that flush. When several threads of one server process ask for such a
write at the same moment, one of them (the leader) applies all the waiting requests in a
single transaction, commits once, and hands each caller its own outcome. Nobody waits for
a timer: a request that arrives while a batch is being written simply joins the next
one. This is the same trade PostgreSQL's own group commit and TigerBeetle's batching
make; a caller still returns only after its write is durably committed.

The leader role passes on: after its batch the leader wakes the oldest waiting caller,
which leads the next batch, so no caller serves others for longer than one batch.

Each request's outcome is a value or a ``DomainError`` raised in its own caller. If the
batch as a whole fails (a database error), every request of it is tried again alone, so
one bad request cannot sink the others.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")


class _Waiter(Generic[Req, Res]):
    __slots__ = ("done", "error", "lead", "request", "result", "wake")

    def __init__(self, request: Req) -> None:
        self.request = request
        self.wake = threading.Event()
        self.lead = False  # this caller settles a batch (its own request first)
        self.done = False
        self.result: Res | None = None
        self.error: BaseException | None = None


_ALL: weakref.WeakSet[GroupCommit[Any, Any]] = weakref.WeakSet()


class GroupCommit(Generic[Req, Res]):
    """``run(batch)`` applies a batch in one transaction and returns one outcome per
    request, in order: a result, or an exception to raise in that request's caller.
    ``leaders`` batches may run at once (each on its own thread's connection)."""

    def __init__(
        self,
        run: Callable[[Sequence[Req]], list[Res | BaseException]],
        *,
        max_batch: int = 64,
        leaders: int = 1,
    ) -> None:
        self._run = run
        self._max = max_batch
        self._leaders = leaders
        self._lock = threading.Lock()
        self._queue: list[_Waiter[Req, Res]] = []
        self._leading = 0
        _ALL.add(self)

    def _forget(self) -> None:
        """In a child process after a fork: the callers and leaders were threads of the
        parent, which the child does not have; start empty."""
        self._lock = threading.Lock()
        self._queue = []
        self._leading = 0

    def submit(self, request: Req) -> Res:
        me: _Waiter[Req, Res] = _Waiter(request)
        with self._lock:
            if self._leading < self._leaders:
                self._leading += 1
                me.lead = True
            else:
                self._queue.append(me)
        if not me.lead:
            me.wake.wait()  # until settled by a leader, or handed the lead
        if me.lead:
            self._lead(me)
        if me.error is not None:
            raise me.error
        return me.result  # type: ignore[return-value]

    def _lead(self, me: _Waiter[Req, Res]) -> None:
        with self._lock:
            batch = [me, *self._queue[: self._max - 1]]
            del self._queue[: self._max - 1]
        try:
            outcomes = self._outcomes([w.request for w in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} requests")
        except BaseException as error:
            outcomes = [error] * len(batch)
        # Nothing below raises: the callers are answered and the lead always passes on.
        for waiter, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                waiter.error = outcome
            else:
                waiter.result = outcome
            waiter.done = True
        with self._lock:
            if self._queue:  # the oldest waiting caller leads the next batch
                successor = self._queue.pop(0)
                successor.lead = True
                successor.wake.set()
            else:
                self._leading -= 1
        for waiter in batch[1:]:
            waiter.wake.set()

    def _outcomes(self, requests: list[Req]) -> list[Res | BaseException]:
        try:
            return self._run(requests)
        except Exception:
            if len(requests) == 1:
                raise
        # The batch failed as a whole: each request alone, so only the bad one fails.
        alone: list[Res | BaseException] = []
        for request in requests:
            try:
                alone.extend(self._run([request]))
            except Exception as error:
                alone.append(error)
        return alone


def _after_fork_in_child() -> None:
    for group in list(_ALL):
        group._forget()


os.register_at_fork(after_in_child=_after_fork_in_child)
