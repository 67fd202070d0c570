#!/usr/bin/env python3
"""Drives the live page in headless Chromium over the Chrome DevTools Protocol (PyPI
`websocket-client`) and checks what it shows. Prints one JSON object per line, flushed.

usage: live_page_browser.py --url URL [--chromium PATH] [--timeout SECONDS] STEP...
  URL is the page (http://127.0.0.1:8080/ for a gateway or `aws-realtime standalone`;
  add ?token=<jwt> for a gateway that requires auth).
steps, run in order, each wait bounded by --timeout (default 30 s):
  expect:live          every stream live with data: charts with points, table rows with severity
                       classes, a cost total and forecast, log lines; no banner; no CSP violation
  expect:auth          the "auth required" banner with the token form
  expect:disconnected  the "disconnected" banner
  text:TEXT            the page shows TEXT
  no-text:TEXT         the page does not show TEXT
  state:STREAM=STATE   the stream's panel is in STATE (live, stale, waiting, error, degraded, unavailable)
  source:STREAM=STATE  the stream's source note (from stream-state envelopes) in STATE, in its panel
                       and its overview tile: shown for degraded and unavailable, hidden for live
  options:SELECT=A,B   the account or region selector (account-select, region-select) offers exactly
                       A, B (besides "all")
  choose:SELECT=VALUE  picks VALUE in the selector (once it offers it), as a user would
  pause:LABEL          print {"event": "paused", "label": LABEL}, then wait for a line on stdin
  screenshot:PATH      a PNG of the whole page
Prints {"event": "step", ...} per step passed and ends with {"event": "done", "ok": ...,
"failures": [...], "summary": {...}}; exit status 0 when every step passed, 1 when one failed,
2 when the browser could not be driven. Chromium is always killed, also on SIGTERM.
"""
import argparse
import base64
import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # PyPI websocket-client

STREAMS = ["aws-metrics", "aws-logs", "aws-activity", "aws-costs", "aws-security", "aws-health"]

# Collected in the page before its own script runs: scripts added over CDP are not subject to the CSP.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || ''));
});
"""

# What the page shows, read from the DOM.
SUMMARY = """
(() => {
  const q = (selector, root) => (root || document).querySelector(selector);
  const text = (node) => (node ? node.textContent.trim() : '');
  if (!q('#conn') || !q('#banner')) return { loading: true, url: location.href };
  const panels = {};
  const source = (root) => {
    const note = q('[data-role="source"]', root);
    return note ? { state: note.dataset.source, hidden: note.hidden, text: text(note), title: note.title } : null;
  };
  for (const panel of document.querySelectorAll('section.panel[data-stream]')) {
    const content = q('.content', panel);
    const rows = [...panel.querySelectorAll('tbody tr')];
    panels[panel.dataset.stream] = {
      state: panel.dataset.state,
      source: source(panel),
      updated: text(q('[data-role="updated"]', panel)),
      rows: rows.length,
      rowClasses: rows.map((row) => row.getAttribute('class') || ''),
      charts: panel.querySelectorAll('.chart').length,
      chartPoints: [...panel.querySelectorAll('.chart polyline')]
        .map((line) => (line.getAttribute('points') || '').trim().split(/\\s+/).filter(Boolean).length),
      logLines: panel.querySelectorAll('.logs li').length,
      images: content.querySelectorAll('img, script, iframe').length,
      empty: !!q('.empty', content),
      text: content.innerText.slice(0, 3000),
    };
  }
  const banner = q('#banner');
  return {
    panels,
    url: location.href,
    connection: q('#conn').dataset.state,
    banner: { hidden: banner.hidden, kind: banner.dataset.kind, text: text(q('#banner-text')),
              tokenForm: !q('#token-form').hidden },
    tiles: Object.fromEntries([...document.querySelectorAll('.tile')].map((tile) => [tile.dataset.stream, tile.dataset.state])),
    tileSources: Object.fromEntries([...document.querySelectorAll('.tile')].map((tile) => [tile.dataset.stream, source(tile)])),
    costs: { total: text(q('#panel-aws-costs [data-role="total"]')), forecast: text(q('#panel-aws-costs [data-role="forecast"]')) },
    selectors: Object.fromEntries(['account-select', 'region-select'].map((id) => [id,
      q('#' + id) ? [...q('#' + id).options].slice(1).map((option) => option.value) : null])),
    csp: window.__cspViolations || [],
    body: document.body.innerText.slice(0, 30000),
  };
})()
"""


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class DriverError(Exception):
    pass


class Terminated(BaseException):
    pass


def on_sigterm(signum, frame):
    raise Terminated()


def parent_death_signal():
    """In the child before exec: die with the driver, even if it is SIGKILLed."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Browser:
    """Headless Chromium with a temporary profile and its DevTools endpoint."""

    def __init__(self, executable, timeout):
        self.profile = tempfile.mkdtemp(prefix="live-page-chromium-")
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
                "--window-size=1280,1600", "about:blank",
            ],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=parent_death_signal,
        )
        self.port = self._wait_for_port(timeout)

    def _wait_for_port(self, timeout):
        # --remote-debugging-port=0 lets Chromium pick a free port; it writes it to DevToolsActivePort.
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DriverError("chromium exited with %s: %s" % (self.process.returncode, self.log_tail()))
            try:
                with open(path) as file:
                    first = file.readline().strip()
                if first:
                    return int(first)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise DriverError("chromium did not open its DevTools port in %s s: %s" % (timeout, self.log_tail()))

    def page_socket_url(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % self.port, timeout=5) as response:
                    targets = json.load(response)
                for target in targets:
                    if target.get("type") == "page" and target.get("webSocketDebuggerUrl"):
                        return target["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.1)
        raise DriverError("no page target in DevTools")

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as file:
                return file.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class DevTools:
    """One CDP session on a page target: commands by id, events collected as they pass."""

    def __init__(self, url):
        # Chromium refuses DevTools WebSockets that carry an Origin it was not told to allow.
        self.socket = websocket.create_connection(url, timeout=10, suppress_origin=True)
        self.next_id = 0
        self.exceptions = []
        self.console_errors = []

    def call(self, method, params=None, timeout=15):
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DriverError("DevTools %s did not answer in %s s" % (method, timeout))
            self.socket.settimeout(remaining)
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise DriverError("DevTools %s failed: %s" % (method, message["error"]))
                return message.get("result", {})
            self.observe(message)

    def observe(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.exceptions.append(details.get("exception", {}).get("description") or details.get("text"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.console_errors.append(entry.get("text", ""))

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise DriverError("evaluation failed: %s" % result["exceptionDetails"].get("text"))
        return result.get("result", {}).get("value")

    def close(self):
        try:
            self.socket.close()
        except Exception:
            pass


# ---- Checks: each returns the list of what is wrong (empty: passed) ------------------------------

def check_live(summary):
    problems = []
    for stream in STREAMS:
        panel = summary["panels"].get(stream)
        if panel is None:
            problems.append("%s: no panel" % stream)
            continue
        if panel["state"] != "live":
            problems.append("%s: state %s, not live (%s)" % (stream, panel["state"], panel["updated"]))
        if summary["tiles"].get(stream) != "live":
            problems.append("%s: overview tile %s, not live" % (stream, summary["tiles"].get(stream)))
        if panel["empty"]:
            problems.append("%s: panel shows no data" % stream)
        if panel["images"]:
            problems.append("%s: panel contains img/script/iframe elements from the data" % stream)
    panels = summary["panels"]
    metrics = panels.get("aws-metrics", {})
    if not any(points >= 2 for points in metrics.get("chartPoints", [])):
        problems.append("aws-metrics: no chart with at least 2 points (%s)" % metrics.get("chartPoints"))
    for stream in ("aws-activity", "aws-security", "aws-health"):
        panel = panels.get(stream, {})
        if panel.get("rows", 0) < 1:
            problems.append("%s: no table rows" % stream)
        elif not all(any(c.startswith("sev-") for c in classes.split()) for classes in panel.get("rowClasses", [])):
            problems.append("%s: rows without a severity class: %s" % (stream, panel.get("rowClasses")))
    if panels.get("aws-logs", {}).get("logLines", 0) < 1:
        problems.append("aws-logs: no log lines")
    costs = summary["costs"]
    if not any(ch.isdigit() for ch in costs["total"]):
        problems.append("aws-costs: no total (%r)" % costs["total"])
    if "Forecast" not in costs["forecast"] or not any(ch.isdigit() for ch in costs["forecast"]):
        problems.append("aws-costs: no forecast (%r)" % costs["forecast"])
    if not summary["banner"]["hidden"]:
        problems.append("banner shown: %s %s" % (summary["banner"]["kind"], summary["banner"]["text"]))
    if summary["connection"] != "connected":
        problems.append("connection %s" % summary["connection"])
    return problems


def check_banner(kind, phrase):
    def check(summary):
        banner = summary["banner"]
        problems = []
        if banner["hidden"] or banner["kind"] != kind:
            problems.append("banner %s/%s, expected %s" % ("hidden" if banner["hidden"] else "shown", banner["kind"], kind))
        if phrase.lower() not in banner["text"].lower():
            problems.append("banner text %r lacks %r" % (banner["text"], phrase))
        if kind == "auth" and not banner["tokenForm"]:
            problems.append("no token form")
        return problems
    return check


def check_text(text):
    return lambda summary: [] if text in summary["body"] else ["page does not show %r" % text]


def check_no_text(text):
    return lambda summary: ["page shows %r" % text] if text in summary["body"] else []


def check_state(stream, state):
    def check(summary):
        panel = summary["panels"].get(stream) or {}
        if panel.get("state") == state and summary["tiles"].get(stream) == state:
            return []
        return ["%s: state %s (%s), expected %s" % (stream, panel.get("state"), panel.get("updated"), state)]
    return check


def check_source(stream, state):
    def check(summary):
        problems = []
        for where, note in (("panel", (summary["panels"].get(stream) or {}).get("source")),
                            ("tile", summary["tileSources"].get(stream))):
            if note is None:
                problems.append("%s: no source note in its %s" % (stream, where))
            elif note["state"] != state or note["hidden"] != (state == "live"):
                problems.append("%s: %s source note %s (%s), expected %s %s" % (
                    stream, where, note["state"], "hidden" if note["hidden"] else repr(note["text"]), state,
                    "hidden" if state == "live" else "shown"))
        return problems
    return check


def check_options(select, values):
    def check(summary):
        offered = (summary.get("selectors") or {}).get(select)
        return [] if offered == values else ["%s offers %r, expected %r" % (select, offered, values)]
    return check


# Picks a value in a selector and fires `change`, as a user would; false while it is not offered.
CHOOSE = """
((id, value) => {
  const select = document.getElementById(id);
  if (!select || ![...select.options].some((option) => option.value === value)) return false;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  return true;
})(%s, %s)
"""


def choose(devtools, select, value, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if devtools.evaluate(CHOOSE % (json.dumps(select), json.dumps(value))) is True:
            return []
        time.sleep(0.2)
    return ["%s never offered %r" % (select, value)]


def page_errors(devtools, summary):
    problems = ["CSP violation: %s" % violation for violation in summary.get("csp", [])]
    problems += ["script exception: %s" % exception for exception in devtools.exceptions]
    return problems


def summarize(devtools):
    return devtools.evaluate(SUMMARY)


def wait_until(devtools, check, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            summary = summarize(devtools)
        except DriverError as error:  # e.g. the page is still navigating
            summary = {"loading": True, "error": str(error)}
        if summary.get("loading"):
            problems = ["the page has not loaded (%s)" % summary.get("error", summary.get("url"))]
        else:
            problems = check(summary) + page_errors(devtools, summary)
        if not problems or time.monotonic() >= deadline:
            return summary, problems
        # Let queued CDP events (exceptions, console) arrive between polls.
        time.sleep(0.2)


def screenshot(devtools, path):
    # Measure the content at a short viewport, then grow the viewport to the whole page.
    devtools.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 600, "deviceScaleFactor": 1, "mobile": False})
    metrics = devtools.call("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
    height = max(600, min(6000, int(size.get("height", 1600))))
    devtools.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
    data = devtools.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, timeout=30)["data"]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as file:
        file.write(base64.b64decode(data))
    devtools.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 1600, "deviceScaleFactor": 1, "mobile": False})


def read_stdin_line(timeout):
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        raise DriverError("no go-ahead on stdin within %s s" % timeout)
    return sys.stdin.readline()


def run(args, devtools):
    failures = []
    summary = None
    devtools.call("Runtime.enable")
    devtools.call("Log.enable")
    devtools.call("Page.enable")
    devtools.call("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    devtools.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1600, "deviceScaleFactor": 1, "mobile": False})
    devtools.call("Page.navigate", {"url": args.url})
    checks = {
        "live": check_live,
        "auth": check_banner("auth", "auth required"),
        "disconnected": check_banner("disconnected", "disconnected"),
    }
    for step in args.steps:
        kind, _, value = step.partition(":")
        started = time.monotonic()
        if kind == "expect":
            if value not in checks:
                raise DriverError("unknown expectation %r" % value)
            summary, problems = wait_until(devtools, checks[value], args.timeout)
        elif kind == "text":
            summary, problems = wait_until(devtools, check_text(value), args.timeout)
        elif kind == "no-text":
            summary, problems = wait_until(devtools, check_no_text(value), args.timeout)
        elif kind == "state":
            stream, _, state = value.partition("=")
            summary, problems = wait_until(devtools, check_state(stream, state), args.timeout)
        elif kind == "source":
            stream, _, state = value.partition("=")
            summary, problems = wait_until(devtools, check_source(stream, state), args.timeout)
        elif kind == "options":
            select, _, values = value.partition("=")
            expected = [item for item in values.split(",") if item]
            summary, problems = wait_until(devtools, check_options(select, expected), args.timeout)
        elif kind == "choose":
            select, _, choice = value.partition("=")
            problems = choose(devtools, select, choice, args.timeout)
        elif kind == "pause":
            emit({"event": "paused", "label": value})
            read_stdin_line(max(args.timeout, 60))
            problems = []
        elif kind == "screenshot":
            screenshot(devtools, value)
            problems = []
        else:
            raise DriverError("unknown step %r" % step)
        if problems:
            failures += ["%s: %s" % (step, problem) for problem in problems]
            break
        emit({"event": "step", "step": step, "seconds": round(time.monotonic() - started, 2)})
    if summary is None or failures:
        summary = summarize(devtools)
    return failures, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--chromium", default=None)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--failure-screenshot", default=None)
    parser.add_argument("steps", nargs="+")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_sigterm)
    executable = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not executable:
        emit({"event": "done", "ok": False, "failures": ["chromium not found"], "summary": None})
        return 2
    browser = None
    devtools = None
    try:
        browser = Browser(executable, timeout=args.timeout)
        devtools = DevTools(browser.page_socket_url(args.timeout))
        failures, summary = run(args, devtools)
        if failures and args.failure_screenshot:
            screenshot(devtools, args.failure_screenshot)
        emit({"event": "done", "ok": not failures, "failures": failures, "summary": summary})
        return 1 if failures else 0
    except (DriverError, OSError, websocket.WebSocketException) as error:
        emit({"event": "done", "ok": False, "failures": ["driver: %s" % error],
              "chromium_log": browser.log_tail() if browser else ""})
        return 2
    except Terminated:
        emit({"event": "done", "ok": False, "failures": ["terminated"]})
        return 143
    finally:
        if devtools:
            devtools.close()
        if browser:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
