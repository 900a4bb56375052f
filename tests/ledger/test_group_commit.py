"""``core.groupcommit``: concurrent callers share one run, and each gets its own answer.

These tests drive the class with a plain function instead of a database transaction, so
that they can hold a batch open and look at what was grouped."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.core.errors import Conflict
from dualpower.core.groupcommit import GroupCommit


class Ledgerish:
    """Doubles each request; a request of -1 is refused (a domain error, its own outcome);
    a request of -2 makes the whole batch fail (like a database error)."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.hold = threading.Event()
        self.hold.set()

    def run(self, requests: Sequence[int]) -> list[int | BaseException]:
        self.hold.wait(timeout=10)
        self.batches.append(list(requests))
        if -2 in requests:
            raise RuntimeError("the batch failed")
        return [Conflict("refused") if r == -1 else 2 * r for r in requests]


def _submit_all(group: GroupCommit[int, int], requests: list[int]
                ) -> list[int | BaseException]:  # fmt: skip
    answers: list[int | BaseException] = [0] * len(requests)

    def call(i: int) -> None:
        try:
            answers[i] = group.submit(requests[i])
        except BaseException as error:
            answers[i] = error

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers


def _wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.001)


def test_requests_that_arrive_during_a_batch_are_settled_together_in_the_next() -> None:
    ledger = Ledgerish()
    group = GroupCommit(ledger.run)
    ledger.hold.clear()  # the first batch stays open ...
    first = threading.Thread(target=group.submit, args=(1,))
    first.start()
    _wait_until(lambda: group._busy, "the first caller leads")
    others = threading.Thread(target=_submit_all, args=(group, list(range(10, 25))))
    others.start()
    _wait_until(lambda: len(group._queue) == 15, "15 more callers wait")
    ledger.hold.set()  # ... until 15 more callers wait: they go in one batch
    first.join(timeout=30)
    others.join(timeout=30)
    assert ledger.batches[0] == [1]
    assert sorted(ledger.batches[1]) == list(range(10, 25))
    assert len(ledger.batches) == 2
    _wait_until(lambda: not group._busy, "the relay is done")
    assert not group._queue


def test_a_lone_request_is_written_in_its_own_callers_thread() -> None:
    threads: list[str] = []

    def run(requests: Sequence[int]) -> list[int | BaseException]:
        threads.append(threading.current_thread().name)
        return [2 * r for r in requests]

    group = GroupCommit(run)
    assert group.submit(4) == 8
    assert group.submit(5) == 10
    assert threads == [threading.current_thread().name] * 2
    assert group._relay is None and not group._busy


def test_the_relay_writes_what_waits_and_the_first_caller_returns_after_its_own_batch() -> None:
    """The caller whose batch is done returns at once; the requests that came meanwhile
    are written by the relay thread, batch after batch, while it goes on."""
    ledger = Ledgerish()
    threads: list[str] = []

    def run(requests: Sequence[int]) -> list[int | BaseException]:
        threads.append(threading.current_thread().name)
        return ledger.run(requests)

    group = GroupCommit(run, max_batch=2)
    ledger.hold.clear()
    first: list[int] = []
    caller = threading.Thread(target=lambda: first.append(group.submit(1)))
    caller.start()
    _wait_until(lambda: group._busy, "the first caller writes its batch")
    answers: list[int | BaseException] = []
    others = threading.Thread(target=lambda: answers.extend(_submit_all(group, [3, 4, 5])))
    others.start()
    _wait_until(lambda: len(group._queue) == 3, "three callers wait")
    ledger.hold.set()
    caller.join(timeout=30)
    others.join(timeout=30)
    assert first == [2] and answers == [6, 8, 10]
    assert ledger.batches[0] == [1] and sorted(ledger.batches[1] + ledger.batches[2]) == [3, 4, 5]
    assert threads[0] == caller.name
    assert threads[1:] == ["groupcommit-relay"] * 2  # max_batch 2: two batches, both relayed
    _wait_until(lambda: not group._busy, "the relay is done")
    assert group.submit(6) == 12  # idle again: the next caller writes its own
    assert threads[-1] == threading.current_thread().name


def test_a_caller_whose_batch_is_done_does_not_wait_for_the_next() -> None:
    """No caller serves others: the first returns while the relay's batch is still open."""
    gates = {1: threading.Event(), 3: threading.Event()}

    def run(requests: Sequence[int]) -> list[int | BaseException]:
        gates[requests[0]].wait(timeout=10)
        return [2 * r for r in requests]

    group = GroupCommit(run)
    first: list[int] = []
    caller = threading.Thread(target=lambda: first.append(group.submit(1)))
    caller.start()
    _wait_until(lambda: group._busy, "the first caller writes its batch")
    second: list[int] = []
    other = threading.Thread(target=lambda: second.append(group.submit(3)))
    other.start()
    _wait_until(lambda: len(group._queue) == 1, "another caller waits")
    gates[1].set()
    caller.join(timeout=30)
    assert first == [2] and not caller.is_alive()
    assert not second  # its batch, the relay's, is still open
    gates[3].set()
    other.join(timeout=30)
    assert second == [6]


def test_if_no_relay_can_start_the_caller_writes_what_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    threads: list[str] = []

    def run(requests: Sequence[int]) -> list[int | BaseException]:
        gate.wait(timeout=10)
        threads.append(threading.current_thread().name)
        return [2 * r for r in requests]

    start = threading.Thread.start

    def no_relay(thread: threading.Thread) -> None:
        if thread.name == "groupcommit-relay":
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", no_relay)
    group = GroupCommit(run)
    first: list[int] = []
    caller = threading.Thread(target=lambda: first.append(group.submit(1)), name="first")
    caller.start()
    _wait_until(lambda: group._busy, "the first caller writes its batch")
    second: list[int] = []
    other = threading.Thread(target=lambda: second.append(group.submit(3)), name="second")
    other.start()
    _wait_until(lambda: len(group._queue) == 1, "another caller waits")
    gate.set()
    caller.join(timeout=30)
    other.join(timeout=30)
    assert first == [2] and second == [6]
    assert threads == ["first", "first"]  # its own batch, then the one that waited
    assert group._relay is None and not group._busy and not group._queue
    assert group.submit(4) == 8  # and the group goes on


def test_a_refusal_reaches_only_its_own_caller() -> None:
    answers = _submit_all(GroupCommit(Ledgerish().run), [3, -1, 4])
    assert answers[0] == 6 and answers[2] == 8
    assert isinstance(answers[1], Conflict)


def test_a_failed_batch_is_retried_one_by_one_so_only_the_bad_request_fails() -> None:
    ledger = Ledgerish()
    group = GroupCommit(ledger.run)
    ledger.hold.clear()
    first = threading.Thread(target=group.submit, args=(1,))
    first.start()
    _wait_until(lambda: group._busy, "the first caller leads")
    rest = [5, -2, 7]
    answers: list[int | BaseException] = []
    others = threading.Thread(target=lambda: answers.extend(_submit_all(group, rest)))
    others.start()
    _wait_until(lambda: len(group._queue) == 3, "three callers wait")
    ledger.hold.set()
    first.join(timeout=30)
    others.join(timeout=30)
    assert answers[0] == 10 and answers[2] == 14
    assert isinstance(answers[1], RuntimeError)
    assert sorted(ledger.batches[1]) == [-2, 5, 7]  # together first, then one by one
    assert sorted(map(tuple, ledger.batches[2:])) == [(-2,), (5,), (7,)]


@settings(max_examples=30, deadline=None)
@given(
    requests=st.lists(st.integers(-2, 50), min_size=1, max_size=40),
    max_batch=st.integers(1, 8),
)
def test_every_caller_gets_the_answer_to_its_own_request(
    requests: list[int], max_batch: int
) -> None:
    ledger = Ledgerish()
    group = GroupCommit(ledger.run, max_batch=max_batch)
    answers = _submit_all(group, requests)
    for request, answer in zip(requests, answers, strict=True):
        if request == -2:
            assert isinstance(answer, RuntimeError)
        elif request == -1:
            assert isinstance(answer, Conflict)
        else:
            assert answer == 2 * request
    settled = [r for batch in ledger.batches if -2 not in batch or len(batch) == 1
               for r in batch]  # fmt: skip
    assert sorted(settled) == sorted(requests)  # each settled exactly once
    assert all(len(batch) <= max_batch for batch in ledger.batches)
    _wait_until(lambda: not group._busy, "the relay is done")
    assert not group._queue


def test_a_child_forked_during_a_batch_settles_its_own_requests() -> None:
    """The parent's leader and callers are threads the child does not have: the child
    starts with an empty group instead of waiting for them forever."""
    import os
    import signal

    ledger = Ledgerish()
    group = GroupCommit(ledger.run)
    ledger.hold.clear()  # a batch of the parent stays open across the fork
    first = threading.Thread(target=group.submit, args=(1,))
    first.start()
    _wait_until(lambda: group._busy, "the parent's batch is being settled")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            ledger.hold.set()  # the child's own batches are not held
            os.write(write, str(group.submit(21)).encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + 30
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("the child hung on the parent's batch")
        time.sleep(0.01)
    answer = os.read(read, 100).decode()
    os.close(read)
    ledger.hold.set()
    first.join(timeout=30)
    assert answer == "42"
    assert ledger.batches == [[1]]  # the parent's own, settled in the parent
