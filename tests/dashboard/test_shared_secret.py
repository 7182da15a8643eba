"""On PostgreSQL or Redis, every web and worker process must be given one SESSION_SECRET: a
secret each generated for itself would refuse the others' cookies, passes and queue messages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import Settings
from core.access.session_tokens import SharedSecretMissing, session_secret

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SENTENCE = "SESSION_SECRET is not set: with PostgreSQL or Redis configured"


@pytest.mark.parametrize(
    "shared",
    [
        {"database_url": "postgresql+psycopg://app@127.0.0.1:5432/collection"},
        {"redis_url": "redis://127.0.0.1:6379/0"},
    ],
)
def test_no_secret_is_generated_for_a_deployment_on_shared_servers(shared, tmp_path):
    path = tmp_path / "session_secret"
    with pytest.raises(SharedSecretMissing):
        session_secret(Settings(session_secret=None, session_secret_path=str(path), **shared))
    assert not path.exists()


def test_the_embedded_default_still_generates_its_own(tmp_path):
    settings = Settings(
        session_secret=None,
        session_secret_path=str(tmp_path / "session_secret"),
        database_url=f"sqlite:///{tmp_path / 'collection.db'}",
        redis_url=None,
    )
    assert len(session_secret(settings)) >= 32


def started_without_a_secret(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SESSION_SECRET", "DATABASE_URL", "REDIS_URL")
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL="postgresql+psycopg://app@127.0.0.1:5432/collection",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SESSION_SECRET_PATH=str(tmp_path / "session_secret"),
    )
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "streamlit", "run", "dashboard/server.py", "--server.port", "1"],
        [str(BIN / "huey_consumer"), "jobs.huey_app.huey", "-w", "1"],
    ],
    ids=["web", "worker"],
)
def test_web_and_worker_refuse_to_start_without_it_in_one_sentence(command, tmp_path):
    done = started_without_a_secret(command, tmp_path)
    assert done.returncode != 0
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith(SENTENCE)
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "session_secret").exists()
