"""Killing the server or the database mid-run loses no acknowledged transfer (issue #5).

Clients pay each other through the real server (``dualpower serve``, gunicorn, 2 workers)
and remember every answer. Once some transfers were acknowledged, the server's whole
process group, or PostgreSQL's, is killed with SIGKILL while requests are in flight.
After a restart: every request is sent again with its Idempotency-Key; each acknowledged
one answers exactly as before; each key has applied at most once; every acknowledged
transfer is there with its entries; and the ledger verifies.

On SQLite (WAL, synchronous=NORMAL) a committed transaction survives the death of the
process that wrote it; only a power cut could take the last ones, which no test here
imitates. The database kill runs on a private PostgreSQL cluster, in the PostgreSQL
phase of CI only, so that it runs once.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from durability_support import (
    CONSOLE_SCRIPT,
    CURRENCY,
    Answer,
    Cluster,
    Processes,
    Run,
    Server,
    database_create,
    database_drop,
    env_for,
    free_port,
    postgres_bindir,
    postgres_user,
    run_script,
)

CLIENTS = 4
REQUESTS = 20  # per client
KILL_AFTER = 25  # acknowledged transfers, out of CLIENTS * REQUESTS

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = DATABASE_URL.startswith(("postgres://", "postgresql://"))

pytestmark = pytest.mark.durability


@dataclass
class Site:
    """A fresh database, dualpower's data folder, and the processes serving them."""

    data_dir: Path
    database_url: str | None
    procs: Processes

    @property
    def env(self) -> dict[str, str]:
        return env_for(self.data_dir, self.database_url)

    def migrate_and_seed(self) -> dict[str, Any]:
        self.data_dir.mkdir(exist_ok=True)
        migrated = subprocess.run(
            [CONSOLE_SCRIPT, "migrate"], env=self.env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        return run_script(self.env, "seed")

    def serve(self, seeded: dict[str, Any]) -> Server:
        port = free_port()
        log = self.data_dir / "server.log"
        proc = self.procs.start(
            [CONSOLE_SCRIPT, "serve", "--port", str(port), "--workers", "2"],
            log=log, env=self.env,
        )  # fmt: skip
        server = Server(proc, port, log)
        server.wait_until_it_answers(_totals(seeded), seeded["members"][0]["token"])
        return server

    def report(self, seeded: dict[str, Any]) -> dict[str, Any]:
        return run_script(self.env, "report", seeded["body"])


def _totals(seeded: dict[str, Any]) -> str:
    return f"/api/v1/bodies/{seeded['body']}/ledger/{CURRENCY}"


@pytest.fixture
def procs() -> Iterator[Processes]:
    procs = Processes()
    yield procs
    procs.kill_all()


@pytest.fixture
def site(tmp_path: Path, procs: Processes) -> Iterator[Site]:
    """SQLite in tmp_path, or on PostgreSQL a database of its own next to the test run's."""
    if not ON_POSTGRESQL:
        yield Site(tmp_path / "data", None, procs)
        return
    name = f"{urlsplit(DATABASE_URL).path.lstrip('/') or 'dualpower'}_durability"
    database_create(DATABASE_URL, name)
    try:
        yield Site(tmp_path / "data", urlsplit(DATABASE_URL)._replace(path=f"/{name}").geturl(),
                   procs)  # fmt: skip
    finally:
        procs.kill_all()  # the server's connections, before the database goes
        database_drop(DATABASE_URL, name)


@pytest.fixture
def cluster(procs: Processes) -> Iterator[Cluster]:
    """A private PostgreSQL cluster that the test may kill."""
    if not ON_POSTGRESQL:
        pytest.skip("the database kill runs once, in the PostgreSQL phase (DATABASE_URL)")
    bindir, user = postgres_bindir(), postgres_user()
    if bindir is None or user is None:
        pytest.skip("needs PostgreSQL's initdb and postgres, and a 'postgres' user when root")
    cluster = Cluster(procs, bindir, user)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        procs.kill_all()
        cluster.remove()


def test_killing_the_server_mid_run_loses_no_acknowledged_transfer(site: Site) -> None:
    seeded = site.migrate_and_seed()
    server = site.serve(seeded)
    run = Run.planned(seeded, clients=CLIENTS, requests=REQUESTS)
    run.start(server.port)
    run.wait_for_acknowledged(KILL_AFTER)
    site.procs.kill(server.proc)  # gunicorn's master and workers, mid-request
    run.join()

    server = site.serve(seeded)
    retried = run.retry_all(server.port)

    _assert_nothing_lost(run, retried, site.report(seeded))


def test_killing_postgresql_mid_run_loses_no_acknowledged_transfer(
    cluster: Cluster, procs: Processes, tmp_path: Path
) -> None:
    cluster.execute('CREATE DATABASE "dualpower_durability"')
    site = Site(tmp_path / "data", f"{cluster.url}/dualpower_durability", procs)
    seeded = site.migrate_and_seed()
    server = site.serve(seeded)
    run = Run.planned(seeded, clients=CLIENTS, requests=REQUESTS)
    run.start(server.port)
    run.wait_for_acknowledged(KILL_AFTER)
    cluster.kill()  # the postmaster and every backend, mid-transaction
    run.join()  # the rest are answered 500 while the database is down

    cluster.start()  # crash recovery replays the write-ahead log
    server.wait_until_it_answers(_totals(seeded), seeded["members"][0]["token"])
    retried = run.retry_all(server.port)

    _assert_nothing_lost(run, retried, site.report(seeded))


def _assert_nothing_lost(run: Run, retried: dict[str, Answer], report: dict[str, Any]) -> None:
    requests = {r.key: r for r in run.requests}
    first = {key: run.answers[key] for key in requests}
    acknowledged = {key: a for key, a in first.items() if a.acknowledged}
    assert len(acknowledged) >= KILL_AFTER
    assert len(acknowledged) < len(requests), "the kill came after the last request"

    # Every retry gets an answer, and an acknowledged request the very same one (a lost
    # transfer would be applied anew by its retry, under another id).
    assert retried.keys() == requests.keys()
    unanswered = {key: a for key, a in retried.items() if not a.acknowledged}
    assert unanswered == {}
    changed = {key: (a, retried[key]) for key, a in acknowledged.items() if retried[key] != a}
    assert changed == {}

    # Each key is one transfer, the one its retry names.
    stored = {t["key"]: t for t in report["transfers"]}
    assert sorted(t["key"] for t in report["transfers"]) == sorted(requests)
    assert {key: (t["id"], t["status"]) for key, t in stored.items()} == {
        key: a.transfer for key, a in retried.items()
    }

    # Every acknowledged transfer is there, with the status it was acknowledged with and,
    # if applied, its debit and its credit.
    for key, answer in acknowledged.items():
        transfer, cents = stored[key], requests[key].cents
        assert (transfer["id"], transfer["status"]) == answer.transfer
        assert transfer["amount"] == cents
        assert transfer["entries"] == ([-cents, cents] if transfer["status"] == "applied" else [])

    applied_keys = {key for key, a in retried.items() if a.transfer and a.transfer[1] == "applied"}
    applied = [t for t in report["transfers"] if t["status"] == "applied"]
    assert len(applied) == len(applied_keys)
    assert report["verified"], report["lines"]
