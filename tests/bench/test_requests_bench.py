"""bench/requests.py runs to its end with a few owners and prints its figures as JSON."""

import json
import sys
from pathlib import Path

import pytest

from tests.processes import run_in_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench


def test_sending_and_reminding_a_few_owners_prints_its_figures():
    done = run_in_group(
        [sys.executable, "bench/requests.py", "--owners", "20"], cwd=ROOT, timeout=280
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["owners_mailed"] == figures["mails_accepted"] == 20
    assert figures["send_run_ended"] == "completed"
    assert figures["send_again_mailed"] == 0
    assert figures["reminded"] == figures["reminders_accepted"] == 20
