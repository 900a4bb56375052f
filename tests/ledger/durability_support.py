"""Helpers of test_ledger_durability.py: the real server and a private PostgreSQL as
subprocesses that a test can kill -9, clients that remember which transfers were
acknowledged, and two scripts run against the test's own database::

    python durability_support.py seed              a network, its currency, members, tokens
    python durability_support.py report SLUG   every transfer with its entries, verified

Run as a script, this module sets Django up on the database named by DATABASE_URL (or the
SQLite file in DUALPOWER_DATA_DIR) and prints one JSON line; imported by the tests, it
never touches Django.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlsplit

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("dualpower"))
CURRENCY = "bean"
LIMIT = 20_00  # how far below zero a member may go: late transfers get refused
MEMBERS = 5


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def poll(what: str, ready: Callable[[], bool], *, timeout: float, log: Path | None = None) -> None:
    """Call ``ready`` until it answers True; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)  # the polling interval, not a wait for state
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} within {timeout:.0f}s\n{tail}")


class Processes:
    """Process groups started by one test, each killed (SIGKILL to the whole group) and
    reaped at teardown if the test did not do so itself."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], *, log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self.running.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """kill -9 the process and everything it started (its own session and group)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        if proc in self.running:
            self.running.remove(proc)

    def kill_all(self) -> None:
        for proc in list(self.running):
            self.kill(proc)


def env_for(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the server and scripts: nothing of the test run's own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUALPOWER_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright
    env["DUALPOWER_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    """``dualpower serve`` (gunicorn, 2 workers) on a free port."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, token: str) -> int:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            status = conn.getresponse().status
            conn.close()
        except OSError:
            return 0
        return status

    def wait_until_it_answers(self, path: str, token: str, *, timeout: float = 30) -> None:
        """Until a read that needs the database answers 200 (the workers are up and
        connected)."""

        def ready() -> bool:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            return self.get(path, token) == 200

        poll(f"the server on port {self.port} did not answer", ready, timeout=timeout, log=self.log)


# ---------------------------------------------------------------- a private PostgreSQL


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian layout, then PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    found = shutil.which("postgres")
    if found:
        candidates.append(Path(found).parent)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "postgres").exists():
            return bindir
    return None


def postgres_user() -> str | None:
    """Who runs the cluster: PostgreSQL refuses root, so root hands it to ``postgres``."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return None


class Cluster:
    """A PostgreSQL cluster of the test's own, in a temporary folder, on a free port.

    The postmaster is started directly as this process's child, not through ``pg_ctl``:
    pg_ctl detaches it, and after kill -9 a detached postmaster lingers as a zombie of
    init until init reaps it, which its successor takes for "another postmaster is
    running". A child of ours is reaped at once.
    """

    def __init__(self, procs: Processes, bindir: Path, user: str) -> None:
        self.procs, self.bindir, self.user = procs, bindir, user
        self.dir = Path(tempfile.mkdtemp(prefix="dp-durability-pg-"))
        self.data, self.sockets = self.dir / "data", self.dir / "sockets"
        self.log = self.dir / "postgres.log"
        self.sockets.mkdir()
        owner = pwd.getpwnam(user)
        for path in (self.dir, self.sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def create(self) -> None:
        """initdb, as the cluster's owner."""
        # --no-sync only skips initdb's final flush of its template files; the server
        # itself runs with fsync=on and synchronous_commit=on, PostgreSQL's defaults,
        # which are what a commit's durability rests on.
        subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--no-sync"],
            user=self.user, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the postmaster (after a kill: crash recovery) and wait until it accepts
        connections."""
        self.proc = self.procs.start(
            [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-k", str(self.sockets), "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=on", "-c", "synchronous_commit=on"],
            log=self.log, user=self.user, cwd=self.dir,
        )  # fmt: skip
        proc = self.proc

        def ready() -> bool:
            assert proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            return self.execute("SELECT 1", quiet=True)

        poll("PostgreSQL did not accept connections", ready, timeout=60, log=self.log)

    def kill(self) -> None:
        """kill -9 the postmaster and all its children at once (one process group)."""
        assert self.proc is not None
        self.procs.kill(self.proc)

    def execute(self, sql: str, *, quiet: bool = False) -> bool:
        import psycopg

        try:
            with psycopg.connect(f"{self.url}/postgres", autocommit=True, connect_timeout=5) as c:
                c.execute(sql.encode())
        except psycopg.OperationalError:
            if quiet:
                return False
            raise
        return True

    def remove(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def database_create(server_url: str, name: str) -> None:
    """(Re)create database ``name`` on the PostgreSQL server at ``server_url``."""
    import psycopg

    parts = urlsplit(server_url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
        conn.execute(f'CREATE DATABASE "{name}"'.encode())


def database_drop(server_url: str, name: str) -> None:
    import psycopg

    admin = urlsplit(server_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


# ---------------------------------------------------------------- clients


@dataclass(frozen=True)
class Request:
    """One payment a client means to make, under its own Idempotency-Key."""

    key: str
    token: str
    to: str
    amount: str

    @property
    def cents(self) -> int:
        return int(Decimal(self.amount) * 100)


@dataclass(frozen=True)
class Answer:
    """What the server said to a request; ``status`` 0 when it said nothing (the
    connection was refused or cut)."""

    status: int
    body: dict[str, Any] | None = None
    error: str = ""

    @property
    def transfer(self) -> tuple[int, str] | None:
        """(id, status) of the transfer this answer acknowledges: 201 with the transfer,
        or 422 naming the transfer that was refused over a limit. Else None."""
        if self.body is None:
            return None
        if self.status == 201 and isinstance(self.body.get("id"), int):
            return self.body["id"], str(self.body["status"])
        if self.status == 422 and isinstance(self.body.get("transfer"), int):
            return self.body["transfer"], "refused"
        return None

    @property
    def acknowledged(self) -> bool:
        return self.transfer is not None


def post(port: int, slug: str, request: Request) -> Answer:
    path = f"/api/v1/bodies/{slug}/ledger/{CURRENCY}/transfers"
    payload = json.dumps({"to": request.to, "amount": request.amount, "memo": request.key})
    headers = {
        "Authorization": f"Bearer {request.token}",
        "Idempotency-Key": request.key,
        "Content-Type": "application/json",
    }
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("POST", path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
    except (OSError, http.client.HTTPException) as e:
        return Answer(0, error=f"{type(e).__name__}: {e}")
    try:
        body = json.loads(raw)
    except ValueError:
        return Answer(response.status, error=raw[:200].decode(errors="replace"))
    return Answer(response.status, body if isinstance(body, dict) else None)


@dataclass
class Run:
    """Clients, one thread per member, each paying through its own list of requests;
    every answer is kept, and a condition counts the acknowledged ones."""

    slug: str
    plans: list[list[Request]]
    answers: dict[str, Answer] = field(default_factory=dict)
    acknowledged: int = 0
    done: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def planned(cls, seeded: dict[str, Any], *, clients: int, requests: int) -> Run:
        members = seeded["members"]
        plans = []
        for n in range(clients):
            rng, me = Random(n), members[n % len(members)]
            others = [m["email"] for m in members if m is not me]
            plans.append([
                Request(key=f"c{n}-{i}", token=me["token"], to=rng.choice(others),
                        amount=f"{rng.randint(1, 5_00) / 100:.2f}")
                for i in range(requests)
            ])  # fmt: skip
        return cls(slug=seeded["body"], plans=plans)

    @property
    def requests(self) -> list[Request]:
        return [r for plan in self.plans for r in plan]

    def start(self, port: int) -> None:
        for plan in self.plans:
            thread = threading.Thread(target=self._client, args=(port, plan), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _client(self, port: int, plan: list[Request]) -> None:
        try:
            for request in plan:
                answer = post(port, self.slug, request)
                with self.lock:
                    self.answers[request.key] = answer
                    self.acknowledged += answer.acknowledged
                    self.lock.notify_all()
        finally:
            with self.lock:
                self.done += 1
                self.lock.notify_all()

    def wait_for_acknowledged(self, n: int, *, timeout: float = 30) -> None:
        """Until ``n`` transfers were acknowledged (or every client is through)."""
        with self.lock:
            self.lock.wait_for(
                lambda: self.acknowledged >= n or self.done == len(self.plans), timeout=timeout
            )
            assert self.acknowledged >= n, f"only {self.acknowledged} acknowledged in {timeout}s"

    def join(self, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "a client is still sending"
        assert len(self.answers) == len(self.requests)

    def retry_all(self, port: int) -> dict[str, Answer]:
        """Send every request again with its key, acknowledged or not, one thread per
        client as before."""
        retried: dict[str, Answer] = {}

        def client(plan: list[Request]) -> None:
            for request in plan:
                retried[request.key] = post(port, self.slug, request)

        threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in self.plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return retried


# ---------------------------------------------------------------- scripts (run with Django)


def _seed() -> dict[str, Any]:
    from django.conf import settings

    # The real hasher would cost a second per member on a busy machine; tokens, not
    # passwords, sign these requests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from dualpower.accounts.services import api_token_create, person_create
    from dualpower.bodies.services import body_found, body_join
    from dualpower.ledger import services

    people = [
        person_create(email=f"member{i}@example.org", password="durable horse battery",
                      display_name=f"Member {i}", verified=True)
        for i in range(MEMBERS)
    ]  # fmt: skip
    body = body_found(founder=people[0], name="Durable Network", kind="time_bank")
    for person in people[1:]:
        body_join(body=body, person=person)
    currency = services.currency_create(
        body=body, kind="mutual_credit", name="Beans", code=CURRENCY, by="durability test"
    )
    services.limit_set(body=body, currency=currency, limit=LIMIT, decision="durability test")
    for person in people:
        services.account_open(body=body, currency=currency, person=person)
    members = [
        {"email": p.email, "token": api_token_create(person=p, label="durability")[1]}
        for p in people
    ]
    return {"body": body.slug, "members": members}


def _report(slug: str) -> dict[str, Any]:
    from dualpower.bodies.models import Body
    from dualpower.ledger.models import Transfer
    from dualpower.ledger.services import ledger_verify

    body = Body.objects.get(slug=slug)
    transfers = (
        Transfer.objects.filter(body=body, currency__code=CURRENCY)
        .prefetch_related("entries")
        .order_by("pk")
    )
    report = ledger_verify(body=body)
    return {
        "transfers": [
            {"id": t.pk, "status": t.status, "key": t.client_key, "amount": t.amount,
             "entries": sorted(e.amount for e in t.entries.all())}
            for t in transfers
        ],
        "verified": report.ok,
        "lines": report.lines(),
    }  # fmt: skip


def run_script(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run this file as a script with ``env``; return the JSON it prints."""
    result = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
    import django

    django.setup()
    out = _seed() if argv[0] == "seed" else _report(argv[1])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
