"""Production settings pass Django's deployment checks, and refuse to start half-configured.

Each case runs in a subprocess, since settings are read once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DUALPOWER_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_production_mode_passes_check_deploy_at_warning_level(tmp_path: Path) -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DUALPOWER_MODE="production",
        DUALPOWER_SECRET_KEY=secrets.token_urlsafe(64),
        DUALPOWER_ALLOWED_HOSTS="example.org",
        DUALPOWER_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_mode_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = _manage(
        "check",
        DUALPOWER_MODE="production",
        DUALPOWER_ALLOWED_HOSTS="example.org",
        DUALPOWER_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "DUALPOWER_MODE=production needs DUALPOWER_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_cli_says_so_in_one_line(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DUALPOWER_")}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dualpower")), "migrate"],
        env={**clean, "DUALPOWER_MODE": "production", "DUALPOWER_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "dualpower: error: DUALPOWER_MODE=production needs DUALPOWER_SECRET_KEY\n"
    )
