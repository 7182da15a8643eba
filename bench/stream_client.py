"""A Streamlit session without a browser: speaks the app's websocket protocol (the protobuf
BackMsg/ForwardMsg that ship in the streamlit package), fills and submits widgets by their label,
and reruns a fragment on its `run_every` interval as the frontend does, without drawing.

The frontend's auto-rerun: on a ForwardMsg `auto_rerun` (fragment id, interval) it starts a
timer that sends a `rerun_script` BackMsg naming the fragment with `is_auto_rerun` set.
"""

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

# A metric's value on screen, as the progress panel draws it: "processed / total".
PROCESSED = "Processed"


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
    fragment: tuple[str, float] | None = None  # (fragment id, interval seconds)
    runs: int = 0  # script runs finished (page and fragment runs)
    fragment_runs: int = 0
    # When each "processed" value first reached this session (time.time()).
    seen_processed: dict[int, float] = field(default_factory=dict)
    _finished: asyncio.Event = field(default_factory=asyncio.Event)
    _timer_changed: asyncio.Event = field(default_factory=asyncio.Event)
    _timer_set_at: float = 0.0  # time.monotonic() of the fragment timer's last change
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

    async def refresh_fragment(self, stop: asyncio.Event, every: float | None = None) -> None:
        """Rerun the page's fragment on its interval until `stop` is set, as the browser's timer
        does (or every `every` seconds: hours of refreshes compressed into minutes). Like the
        browser, it follows the panel's latest timer: a run may change the interval (a job
        that goes quiet slows the panel) or stop it, and a new timer counts from when it came."""
        last = time.monotonic()
        while not stop.is_set():
            due = None
            if self.fragment is not None:
                due = max(last, self._timer_set_at) + (every or self.fragment[1])
            self._timer_changed.clear()
            timeout = None if due is None else max(0.0, due - time.monotonic())
            waits = [
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._timer_changed.wait()),
            ]
            done, pending = await asyncio.wait(
                waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for waiting in pending:
                waiting.cancel()
            if done or self.fragment is None:
                continue  # stopped, or the timer changed: count from the new one
            last = time.monotonic()
            await self._send_rerun([], fragment_id=self.fragment[0], auto=True)

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
            if not message.metadata.run.fragment_ids:
                self._set_timer(None)  # a page run registers its fragments anew
            self.page_script_hash = message.new_session.page_script_hash or self.page_script_hash
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
        elif kind == "auto_rerun":
            self._set_timer((message.auto_rerun.fragment_id, message.auto_rerun.interval))
        elif kind == "stop_auto_rerun":
            self._set_timer(None)
        elif kind == "script_finished":
            self.runs += 1
            if message.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.fragment_runs += 1
            # A run stopped for st.rerun() is followed by the next one: not settled yet.
            self._settled = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            if not self._settled:
                self.widgets.clear()
                self.texts.clear()
        elif kind == "session_status_changed":
            running = message.session_status_changed.script_is_running
            if self._settled and not running:
                self._finished.set()

    def _set_timer(self, fragment: tuple[str, float] | None) -> None:
        if fragment != self.fragment:
            self.fragment = fragment
            self._timer_set_at = time.monotonic()
            self._timer_changed.set()

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind) if kind else None
        label = getattr(proto, "label", None)
        widget_id = getattr(proto, "id", None)
        if label and widget_id:
            options = list(getattr(proto, "options", [])) if kind == "selectbox" else []
            self.widgets[label] = Widget(kind, widget_id, options)
        if kind == "metric" and label == PROCESSED:
            processed = element.metric.body.split("/")[0].strip()
            if processed.isdigit():
                self.seen_processed.setdefault(int(processed), time.time())
        elif kind == "exception" or kind == "alert" and element.alert.format == 1:  # ERROR
            self.texts.append(f"error: {getattr(proto, 'body', '') or proto.message}")
        elif kind in ("heading", "text", "markdown", "alert"):
            self.texts.append(getattr(proto, "body", ""))
