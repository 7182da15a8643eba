"""A Streamlit session without a browser: speaks the app's websocket protocol (the protobuf
BackMsg/ForwardMsg that ship in the streamlit package), fills and submits widgets by their label,
and keeps the job panel current as the browser does, without drawing: it takes the pass and
interval the page run hands the panel's component, polls the progress route with it over one
kept-alive HTTP connection, and asks for a page run when the panel's script would.
"""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

# The job panel's component (dashboard/widgets/job_panel.py), found by its name's end.
PANEL = "collection_job_panel"


class KeptAlive:
    """One HTTP/1.1 connection kept open for GETs, as a browser keeps one to its server."""

    def __init__(self, url: str) -> None:
        address = urlsplit(url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):  # the server may have closed an idle connection: open anew
            try:
                return await self._get(path)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _get(self, path: str) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
        self._writer.write(request.encode())
        await self._writer.drain()
        head = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
        length = int({k.lower(): v for k, v in fields.items()}.get("content-length", 0))
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = self._reader = None


@dataclass
class Widget:
    kind: str  # the element's oneof name: text_input, button, selectbox, ...
    id: str
    options: list[str] = field(default_factory=list)


@dataclass
class StreamSession:
    """One analyst's session: the widgets and texts of the last run, and the fragment to rerun."""

    url: str  # http://host:port
    page_name: str = ""
    query_string: str = ""
    connection: ClientConnection | None = None
    page_script_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    panel: dict | None = None  # what the last page run handed the job panel's component
    runs: int = 0  # script runs finished (page and fragment runs)
    polls: int = 0  # the job panel's polls answered
    page_runs_asked: int = 0  # page runs the panel asked for (the job started or ended, ...)
    # When each "processed" value first reached this session (time.time()).
    seen_processed: dict[int, float] = field(default_factory=dict)
    _finished: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task | None = None
    _settled: bool = True

    async def open(self) -> None:
        stream = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.connection = await connect(
            stream,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            compression=None,
            open_timeout=None,  # a busy server answers late: the run's own timeouts bound it
            # No keepalive pings, as a browser sends none: on a busy machine a late pong would
            # close a session that is otherwise fine, and the team would shrink unseen.
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())

    @property
    def lost(self) -> bool:
        """The connection ended before `close` (the server closed it, or it broke)."""
        return self._reader is not None and self._reader.done()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.connection is not None:
            await self.connection.close()

    async def run(self, states: list[WidgetState] | None = None, timeout: float = 120) -> None:
        """A page run, as the browser asks for one (first load, a widget changed), to its end."""
        self._finished.clear()
        self.texts.clear()
        self.widgets.clear()
        await self._send_rerun(states or [])
        # A run ending in st.rerun() is followed by the next: done once the session is idle.
        await asyncio.wait_for(self._finished.wait(), timeout)

    async def submit(self, values: dict[str, str], button: str, timeout: float = 120) -> None:
        """Type `values` into the text inputs (choose them in select boxes) and press `button`;
        returns when the runs that follow (a st.rerun included) have ended."""
        states = []
        missing = [label for label in (*values, button) if label not in self.widgets]
        if missing:
            raise LookupError(f"no {missing} on the page; it shows {self.texts}")
        for label, value in values.items():
            widget = self.widgets[label]
            state = WidgetState(id=widget.id)
            if widget.kind == "selectbox":
                state.string_value = next(o for o in widget.options if value in o)
            else:
                state.string_value = value
            states.append(state)
        states.append(WidgetState(id=self.widgets[button].id, trigger_value=True))
        await self.run(states, timeout)

    async def open_page(self, page_name: str, query_string: str = "") -> None:
        """Go to another page of the app (as its address, in the same session) and run it."""
        self.page_name, self.query_string, self.page_script_hash = page_name, query_string, ""
        await self.run()

    async def poll_panel(self, stop: asyncio.Event, every: float | None = None) -> None:
        """Poll the progress route as the panel's script does, until `stop` is set: at the
        interval of the last page run (or every `every` seconds), a page run when the job
        started or ended or the pass was refused (the run hands over a fresh one)."""
        http = KeptAlive(self.url)
        try:
            while not stop.is_set():
                panel = self.panel
                if panel is None or not panel["every"]:
                    return
                first = panel["first"]
                seconds = every or (
                    panel["every"] if first["live"] else max(panel["every"], panel["idle_every"])
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), seconds)
                if stop.is_set():
                    return
                status, body = await http.get(
                    f"{panel['endpoint']}?token={quote(panel['token'], safe='')}"
                )
                if status == 200:
                    self.polls += 1
                    shown = json.loads(body)
                    self._saw(shown)
                    if shown["live"] == first["live"] and shown["job"] == first["job"]:
                        continue
                elif status not in (403, 404):
                    continue  # the next poll tries again, as the browser's does
                self.page_runs_asked += 1
                await self.run()
        finally:
            await http.close()

    def _saw(self, shown: dict) -> None:
        if shown.get("job") is not None:
            self.seen_processed.setdefault(int(shown["processed"]), time.time())

    async def _send_rerun(
        self, states: list[WidgetState], fragment_id: str = "", auto: bool = False
    ) -> None:
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        rerun.page_script_hash = self.page_script_hash
        rerun.page_name = "" if self.page_script_hash else self.page_name
        rerun.widget_states.widgets.extend(states)
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = auto
        rerun.context_info.timezone = "UTC"
        assert self.connection is not None
        await self.connection.send(message.SerializeToString())

    async def _read(self) -> None:
        assert self.connection is not None
        async for data in self.connection:
            message = ForwardMsg()
            message.ParseFromString(data)  # type: ignore[arg-type]
            self._receive(message)

    def _receive(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":  # a run starts
            self._finished.clear()
            self.page_script_hash = message.new_session.page_script_hash or self.page_script_hash
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
        elif kind == "script_finished":
            self.runs += 1
            # A run stopped for st.rerun() is followed by the next one: not settled yet.
            self._settled = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            if not self._settled:
                self.widgets.clear()
                self.texts.clear()
        elif kind == "session_status_changed":
            running = message.session_status_changed.script_is_running
            if self._settled and not running:
                self._finished.set()

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind) if kind else None
        label = getattr(proto, "label", None)
        widget_id = getattr(proto, "id", None)
        if label and widget_id:
            options = list(getattr(proto, "options", [])) if kind == "selectbox" else []
            self.widgets[label] = Widget(kind, widget_id, options)
        if kind == "bidi_component" and element.bidi_component.component_name.endswith(PANEL):
            self.panel = json.loads(element.bidi_component.json)
            self._saw(self.panel["first"])
        elif kind == "exception" or kind == "alert" and element.alert.format == 1:  # ERROR
            self.texts.append(f"error: {getattr(proto, 'body', '') or proto.message}")
        elif kind in ("heading", "text", "markdown", "alert"):
            self.texts.append(getattr(proto, "body", ""))
