"""The pass a page run hands the browser to poll one job's progress: genuine, young and made
for this purpose, or nothing."""

import time
import uuid

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from config.settings import Settings
from core.access import session_tokens
from core.enhancement import progress_pass
from core.kernel.context import RequestContext

SECRET = "p" * 40
SETTINGS = Settings(session_secret=SECRET)
CTX = RequestContext(uuid.uuid4(), uuid.uuid4(), user_id=uuid.uuid4())
JOB_KEY, FLOW_ID = str(uuid.uuid4()), str(uuid.uuid4())


def issued() -> str:
    return progress_pass.issue(JOB_KEY, FLOW_ID, CTX, SETTINGS)


def test_a_pass_names_the_job_key_the_flow_the_engagement_and_the_person():
    granted = progress_pass.read(issued(), SETTINGS)
    assert granted == progress_pass.ProgressPass(
        job_key=JOB_KEY,
        flow_id=FLOW_ID,
        engagement_id=str(CTX.engagement_id),
        user_id=str(CTX.user_id),
    )


def test_a_tampered_pass_is_refused():
    token = issued()
    payload, rest = token.split(".", 1)
    forged = URLSafeTimedSerializer("x" * 40).dumps({"job": str(uuid.uuid4())}).split(".", 1)[0]
    assert progress_pass.read(f"{forged}.{rest}", SETTINGS) is None
    # The signature's first character, whose six bits all count (its last carries padding).
    signed, signature = token.rsplit(".", 1)
    flipped = f"{signed}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert progress_pass.read(flipped, SETTINGS) is None
    assert progress_pass.read(payload, SETTINGS) is None


def test_a_pass_signed_with_another_secret_is_refused():
    other = Settings(session_secret="q" * 40)
    assert progress_pass.read(progress_pass.issue(JOB_KEY, FLOW_ID, CTX, other), SETTINGS) is None


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - progress_pass.PASS_SECONDS - 5


def test_a_pass_older_than_its_lifetime_is_refused():
    old = URLSafeTimedSerializer(SECRET, salt=progress_pass.SALT, signer=SignedLongAgo)
    payload = {"job": JOB_KEY, "flow": FLOW_ID, "engagement": str(uuid.uuid4()), "user": None}
    assert progress_pass.read(old.dumps(payload), SETTINGS) is None
    fresh = URLSafeTimedSerializer(SECRET, salt=progress_pass.SALT)
    assert progress_pass.read(fresh.dumps(payload), SETTINGS) is not None


def test_a_sign_in_token_is_no_progress_pass():
    sign_in = session_tokens.sign(uuid.uuid4(), SETTINGS)
    assert progress_pass.read(sign_in, SETTINGS) is None
    # Nor the other way round: a progress pass signs nobody in.
    assert session_tokens.read(issued(), SETTINGS) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        "x" * 10_000,
        ["a list"],
        URLSafeTimedSerializer(SECRET, salt=progress_pass.SALT).dumps(["a list"]),
        URLSafeTimedSerializer(SECRET, salt=progress_pass.SALT).dumps({"job": "not-a-uuid"}),
        URLSafeTimedSerializer(SECRET, salt=progress_pass.SALT).dumps(
            {"job": JOB_KEY, "flow": FLOW_ID, "engagement": "x", "user": None}
        ),
    ],
    ids=[
        "none",
        "empty",
        "garbage",
        "ten thousand characters",
        "a list",
        "a signed list",
        "a job key that is no uuid",
        "an engagement that is no uuid",
    ],
)
def test_malformed_passes_are_refused(token):
    assert progress_pass.read(token, SETTINGS) is None


def test_a_pass_says_which_of_the_flows_keys_it_reads_and_an_unknown_kind_is_refused():
    assert progress_pass.read(issued(), SETTINGS).kind == progress_pass.GAP_JOB
    for kind in (progress_pass.PHASE_RUN, progress_pass.EXPORT_RUN):
        token = progress_pass.issue(JOB_KEY, FLOW_ID, CTX, SETTINGS, kind=kind)
        assert progress_pass.read(token, SETTINGS).kind == kind
    serializer = URLSafeTimedSerializer(
        session_tokens.session_secret(SETTINGS), salt=progress_pass.SALT
    )
    payload = {"job": JOB_KEY, "flow": FLOW_ID, "engagement": str(CTX.engagement_id), "user": None}
    assert progress_pass.read(serializer.dumps({**payload, "kind": "anything"}), SETTINGS) is None
    assert progress_pass.read(serializer.dumps(payload), SETTINGS).kind == progress_pass.GAP_JOB
