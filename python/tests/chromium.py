"""Headless Chromium driven over the DevTools protocol on a pipe (no websocket client needed).

`--remote-debugging-pipe` makes Chromium read JSON commands from fd 3 and write responses and
events to fd 4, each message ending with a NUL byte. `inspect_page` opens a file, collects console
errors, uncaught exceptions, error log entries and every non-local request, and screenshots
each `<section>` (clipped to the element, beyond the viewport).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)
LOCAL_SCHEMES = ("file:", "data:", "about:")
SECTION_RECTS = """JSON.stringify(Array.from(document.querySelectorAll('section')).map(s => {
  const r = s.getBoundingClientRect();
  return {id: s.id, x: r.left + window.scrollX, y: r.top + window.scrollY,
          width: r.width, height: r.height};
}))"""


@dataclass
class PageReport:
    """What the browser saw while loading the page."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshots: dict[str, Path] = field(default_factory=dict)


def _above_four(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class DevTools:
    """One Chromium process and a flat-session DevTools connection over its pipe."""

    def __init__(self, profile: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # move the child's ends above 4 so that dup2 onto 3 and 4 cannot clobber either one
        to_chrome_r, from_chrome_w = _above_four(to_chrome_r), _above_four(from_chrome_w)

        def wire() -> None:  # in the child: the protocol's fixed descriptors 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,  # noqa: PLW1509 - single-threaded test helper
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and wait for its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], remaining)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def _describe(event: dict[str, Any]) -> str | None:
    """A console error, an uncaught exception or an error log entry, as text; else None."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
        return f"console.{params['type']}: {args}"
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        description = details.get("exception", {}).get("description") or details.get("text")
        return f"uncaught: {description}"
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        return f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip()
    return None


def inspect_page(
    html_file: Path, shots_dir: Path, width: int = 1280, height: int = 900
) -> PageReport:
    """Load `html_file` in headless Chromium; return console errors, external requests and one
    screenshot per `<section>` (named after its id)."""
    report = PageReport()
    shots_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mw-chromium-") as profile:
        tools = DevTools(Path(profile))
        try:
            target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Runtime", "Log", "Page", "Network"):
                tools.send(f"{domain}.enable", session=session)
            tools.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            tools.send("Page.navigate", {"url": html_file.resolve().as_uri()}, session=session)
            tools.wait_for("Page.loadEventFired")
            rects = json.loads(
                tools.send(
                    "Runtime.evaluate",
                    {"expression": SECTION_RECTS, "returnByValue": True},
                    session=session,
                )["result"]["value"]
            )
            for rect in rects:
                clip = {k: rect[k] for k in ("x", "y", "width", "height")} | {"scale": 1}
                shot = tools.send(
                    "Page.captureScreenshot",
                    {"format": "png", "clip": clip, "captureBeyondViewport": True},
                    session=session,
                )
                path = shots_dir / f"{rect['id']}.png"
                path.write_bytes(base64.b64decode(shot["data"]))
                report.screenshots[rect["id"]] = path
            # let late errors (timers, deferred scripts) surface before closing
            tools.send(
                "Runtime.evaluate",
                {"expression": "new Promise(r => setTimeout(r, 300))", "awaitPromise": True},
                session=session,
            )
        finally:
            tools.close()
    for event in tools.events:
        problem = _describe(event)
        if problem:
            report.console_errors.append(problem)
        if event.get("method") == "Network.requestWillBeSent":
            url = event["params"]["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                report.external_requests.append(url)
    return report
