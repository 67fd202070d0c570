#!/usr/bin/env python3
"""Watches a standalone instance over its native WebSocket (PyPI `websockets`): subscribes to
every stream given, then reads until each stream has delivered a data envelope (its snapshot or
a live one) and at least one stream delivered two envelopes whose data differ. Prints one JSON
object per line, flushed:

  {"open": true, "at": EPOCH}                     connected
  {"envelope": STREAM, "type": T, "id": ID, "at": EPOCH, "digest": SHA256 of data}
  {"done": true, "first": {STREAM: EPOCH}, "changed": STREAM}
  {"error": TEXT}                                  gave up (with what was seen)

usage: standalone_watch.py URL TIMEOUT_SECONDS STREAM...
Connecting is retried until the deadline (the server may still be starting); every wait is bounded.
"""
import hashlib
import json
import sys
import time

from websockets.sync.client import connect


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    url, timeout, streams = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    deadline = time.time() + timeout
    ws = None
    while ws is None:
        try:
            ws = connect(url, open_timeout=5, max_size=None, ping_interval=None)
        except OSError as error:
            if time.time() > deadline:
                emit({"error": "could not connect: %s" % error})
                return
            time.sleep(0.2)
    with ws:
        emit({"open": True, "at": time.time()})
        for stream in streams:
            ws.send(json.dumps({"op": "subscribe", "stream": stream}))
        first, digests, changed = {}, {}, None

        def seen(envelope):
            nonlocal changed
            stream = envelope.get("stream")
            if envelope.get("type") == "heartbeat" or "data" not in envelope:
                return
            digest = hashlib.sha256(json.dumps(envelope["data"], sort_keys=True).encode()).hexdigest()
            now = time.time()
            emit({"envelope": stream, "type": envelope.get("type"), "id": envelope.get("id"), "at": now, "digest": digest})
            first.setdefault(stream, now)
            if stream in digests and digest not in digests[stream] and changed is None:
                changed = stream
            digests.setdefault(stream, set()).add(digest)

        while time.time() < deadline:
            try:
                message = json.loads(ws.recv(timeout=max(0.1, deadline - time.time())))
            except TimeoutError:
                break
            if message.get("op") == "subscribed":
                if message.get("snapshot"):
                    seen(message["snapshot"])
            elif message.get("op") == "error":
                emit({"error": message})
            elif "stream" in message:
                seen(message)
            if all(stream in first for stream in streams) and changed is not None:
                emit({"done": True, "first": first, "changed": changed})
                ws.close()
                return
        emit({"error": "timed out", "first": first, "changed": changed})


if __name__ == "__main__":
    main()
