"""Headers on every HTTP answer of the web process: no framing by other sites, no sniffing,
no page address in the Referer sent to other sites.

The dashboard's own iframes (components) are served from this origin, hence SAMEORIGIN and
frame-ancestors 'self' rather than DENY.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Added beside any policy a response has already: each policy is enforced on its own.
FRAME_POLICY = "frame-ancestors 'self'"


class ResponseHeaders:
    """ASGI middleware of the web process (dashboard/server.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.append("Content-Security-Policy", FRAME_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)
