"""Group commit: concurrent callers in one process share one transaction.

A commit costs a round trip and a flush of the write-ahead log to disk; a write that
holds a lock until its commit (the ledger's, see ``ledger.services``) serialises every
writer behind that flush. When several threads of one server process ask for such a
write at the same moment, one batch applies all the waiting requests in a single
transaction, commits once, and hands each caller its own outcome. Nobody waits for a
timer: a request that arrives while a batch is being written simply joins the next one.
This is the same trade PostgreSQL's own group commit and TigerBeetle's batching make; a
caller still returns only after its write is durably committed.

Who writes the batches. A caller that finds no batch being written writes its own, so a
lone request costs no thread switch. If requests are waiting when it is done, it hands
them to the group's relay, a thread of its own that writes batch after batch for as long
as requests keep coming, then sleeps (if no thread can be started, the caller writes them
itself). The relay starts its next batch the moment one is answered, while the answered
callers go on with their own work (in CPython one at a time): a caller handed the lead
instead would first have to win the interpreter's lock from them, and the database would
wait. On the ledger's benchmark (16 threads, one ledger) that gap was a quarter of each
cycle. No caller serves others for longer than its own batch, unless no relay can start.

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
    __slots__ = ("error", "request", "result", "wake")

    def __init__(self, request: Req) -> None:
        self.request = request
        # Held until its batch is answered, then released once: the cheapest wake-up
        # there is (an Event is a Condition, a lock and a list of waiters).
        self.wake = threading.Lock()
        self.wake.acquire()
        self.result: Res | None = None
        self.error: BaseException | None = None


_ALL: weakref.WeakSet[GroupCommit[Any, Any]] = weakref.WeakSet()


class GroupCommit(Generic[Req, Res]):
    """``run(batch)`` applies a batch in one transaction and returns one outcome per
    request, in order: a result, or an exception to raise in that request's caller. One
    batch runs at a time, in the caller's thread or in the relay's (any thread may call
    ``run``)."""

    def __init__(
        self, run: Callable[[Sequence[Req]], list[Res | BaseException]], *, max_batch: int = 64
    ) -> None:
        self._run = run
        self._max = max_batch
        self._forget()
        _ALL.add(self)

    def _forget(self) -> None:
        """Empty, with no relay (and, in a child process after a fork, without the
        parent's callers and relay, which were threads the child does not have)."""
        self._lock = threading.Lock()
        self._queue: list[_Waiter[Req, Res]] = []
        self._busy = False  # a batch is being written, or the relay is about to
        self._relay: threading.Thread | None = None
        self._relay_wake = threading.Lock()
        self._relay_wake.acquire()

    def submit(self, request: Req) -> Res:
        me: _Waiter[Req, Res] = _Waiter(request)
        with self._lock:
            lead, self._busy = not self._busy, True
            if not lead:  # (when nothing is being written, nothing waits either)
                self._queue.append(me)
        if lead:
            try:
                self._settle([me])
            finally:
                self._pass_on()
        else:
            me.wake.acquire()  # until its batch is answered
        if me.error is not None:
            raise me.error
        return me.result  # type: ignore[return-value]

    def _pass_on(self) -> None:
        """After a caller's own batch: the relay writes what waits meanwhile, or, if no
        relay thread can be started, this caller does."""
        with self._lock:
            if not self._queue:
                self._busy = False
                return
            if self._relay is None or not self._relay.is_alive():
                relay = threading.Thread(
                    target=self._relay_loop, name="groupcommit-relay", daemon=True
                )
                try:
                    relay.start()
                    self._relay = relay
                except Exception:  # no thread to be had: write them here
                    self._relay = None
            if self._relay is not None:
                self._relay_wake.release()
                return
        self._drain()

    def _relay_loop(self) -> None:
        while True:
            self._relay_wake.acquire()  # until handed the waiting requests
            self._drain()

    def _drain(self) -> None:
        """Write the waiting requests, batch after batch, until none waits."""
        while True:
            with self._lock:
                batch = self._queue[: self._max]
                del self._queue[: self._max]
                if not batch:
                    self._busy = False
                    return
            self._settle(batch)

    def _settle(self, batch: list[_Waiter[Req, Res]]) -> None:
        """Run the batch and answer its callers."""
        try:
            outcomes = self._outcomes([w.request for w in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} requests")
        except BaseException as error:
            outcomes = [error] * len(batch)
        # Nothing below raises: every caller is answered.
        for waiter, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                waiter.error = outcome
            else:
                waiter.result = outcome
            waiter.wake.release()

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
