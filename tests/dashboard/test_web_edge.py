"""The web process's edge, served over HTTPS as production is: uploads only from a session
whose person may import, within a size per file and per session; headers that keep other sites
from framing the pages; a session cookie the browser sends over HTTPS only."""

import datetime
import http.client
import re
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.dashboard.live import (
    LOOPBACK_TLS,
    WAIT_MS,
    add_user,
    live_stack,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
CLIENT, ENGAGEMENT = "Northwind Health", "Datacenter Exit 2027"
ANALYST, MANAGER = "uploads@demo.local", "reads@demo.local"
FILE_CAP, SESSION_CAP = 100_000, 150_000


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(scope="module")
def stack(shared_stack, tmp_path_factory):
    """A web process of its own (HTTPS, small upload caps) on the shared stack's database."""
    tls = self_signed(tmp_path_factory.mktemp("tls"))
    caps = {"IMPORT_MAX_FILE_BYTES": str(FILE_CAP), "UPLOAD_MAX_SESSION_BYTES": str(SESSION_CAP)}
    edge = live_stack(worker=False, extra_env=caps, tls=tls, database_of=shared_stack)
    with edge as running:
        add_user(running, ANALYST, "analyst", CLIENT, PASSWORD)
        add_user(running, MANAGER, "manager", CLIENT, PASSWORD)
        yield running


class Tab:
    """A browser tab that knows its Streamlit session's id (from the session's first message)."""

    def __init__(self, browser):
        context = browser.new_context(
            ignore_https_errors=True, viewport={"width": 1440, "height": 1000}
        )
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        self.page = context.new_page()
        self.session_ids: list[str] = []
        self.page.on("websocket", lambda socket: socket.on("framereceived", self._read))

    def _read(self, payload) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            if message.HasField("new_session"):
                session_id = message.new_session.initialize.session_id
                if session_id not in self.session_ids:
                    self.session_ids.append(session_id)

    def session_id(self) -> str:
        self.page.wait_for_function("() => true")  # frames seen so far are handled
        assert self.session_ids, "no session started in this tab"
        return self.session_ids[-1]

    def put_chunked(self, url: str, size: int) -> int:
        """The same upload sent in chunks, its length not said: the answer's status."""
        xsrf = self._xsrf()
        host, port = url.removeprefix("https://").split(":")
        connection = http.client.HTTPSConnection(host, int(port), context=LOOPBACK_TLS, timeout=60)
        try:
            connection.putrequest("PUT", f"/_stcore/upload_file/{self.session_id()}/{uuid.uuid4()}")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.putheader("Content-Type", "multipart/form-data; boundary=edge")
            connection.putheader("Cookie", f"_streamlit_xsrf={xsrf}")
            connection.putheader("X-Xsrftoken", xsrf)
            connection.endheaders()
            chunk = b"x" * size
            connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
            return connection.getresponse().status
        finally:
            connection.close()

    def _xsrf(self) -> str:
        cookies = self.page.context.cookies()
        return next(c["value"] for c in cookies if c["name"] == "_streamlit_xsrf")

    def put(self, url: str, size: int, session_id: str | None = None):
        """What Streamlit's uploader sends, straight to the route: one file of `size` bytes."""
        xsrf = self._xsrf()
        address = f"{url}/_stcore/upload_file/{session_id or self.session_id()}/{uuid.uuid4()}"
        return self.page.request.put(
            address,
            multipart={"file": {"name": "big.csv", "mimeType": "text/csv", "buffer": b"x" * size}},
            headers={"X-Xsrftoken": xsrf},
        )


def test_a_client_that_never_signed_in_cannot_upload(stack, browser):
    visitor = Tab(browser)
    visitor.page.goto(stack.url)
    expect(visitor.page.get_by_role("textbox", name="Password")).to_be_visible()
    answer = visitor.put(stack.url, 1000)
    assert answer.status == 403
    assert answer.json() == {"error": "forbidden"}


def test_a_manager_cannot_upload_and_an_analyst_can_within_the_caps(stack, browser, tmp_path):
    manager = Tab(browser)
    sign_in(manager.page, stack, MANAGER, PASSWORD, ENGAGEMENT)
    assert manager.put(stack.url, 1000).status == 403

    analyst = Tab(browser)
    sign_in(analyst.page, stack, ANALYST, PASSWORD, ENGAGEMENT, path="data")
    expect(analyst.page.get_by_role("heading", name="Import assets")).to_be_visible()
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("name,asset_type\nweb-01,server\nweb-02,server\n")
    analyst.page.locator("input[type=file]").set_input_files(str(inventory))
    expect(analyst.page.get_by_role("button", name=re.compile(r"^Import 2 row"))).to_be_visible()
    wait_idle(analyst.page)

    # An upload that does not say its length is refused before its body is read.
    assert analyst.put_chunked(stack.url, 1000) == 411
    # One file over IMPORT_MAX_FILE_BYTES is refused before its body is read.
    too_big = analyst.put(stack.url, FILE_CAP + 100_000)
    assert (too_big.status, too_big.json()) == (413, {"error": "file too large"})
    # One within it is held; another would take the session past UPLOAD_MAX_SESSION_BYTES.
    assert analyst.put(stack.url, 90_000).status == 204
    over = analyst.put(stack.url, 90_000)
    assert (over.status, over.json()) == (413, {"error": "too much uploaded at once"})


def test_every_answer_keeps_other_sites_from_framing_or_sniffing_it(stack, browser):
    visitor = Tab(browser)
    for path in ("", "/_stcore/health", "/_progress?token=forged"):
        answer = visitor.page.request.get(f"{stack.url}{path}")
        headers = answer.headers
        assert headers["x-frame-options"] == "SAMEORIGIN", path
        assert "frame-ancestors 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path


def test_over_https_the_session_cookie_is_secure(stack, browser):
    analyst = Tab(browser)
    sign_in(analyst.page, stack, ANALYST, PASSWORD, ENGAGEMENT)
    analyst.page.wait_for_function(
        "() => document.cookie.split('; ').some(c => c.startsWith('collection_session='))"
    )
    (cookie,) = [c for c in analyst.page.context.cookies() if c["name"] == "collection_session"]
    assert cookie["secure"] is True
    assert cookie["sameSite"] == "Strict"
