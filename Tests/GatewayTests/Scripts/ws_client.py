#!/usr/bin/env python3
"""A scripted WebSocket client for the gateway tests (PyPI `websockets`, an independent
implementation). Prints one JSON object per line, flushed, so the Swift test can follow along.

usage: ws_client.py URL [--header NAME=VALUE]... [--origin ORIGIN] STEP...
steps:
  send:TEXT          send a text message
  big:N              send a text message of N bytes
  recv:N             receive N messages, printing each as {"recv": text}
  until:SUBSTRING    receive (printing each) until one contains SUBSTRING (at most 10 s)
  ids:N              receive N envelopes, printing {"ids": [...], "raw": [...]} once
  watch:SECONDS      receive (printing each as {"recv": text, "at": unix time}) for SECONDS, however
                     many come; then done
  stream-until:SUBSTRING
                     receive (printing each) until one contains SUBSTRING (at most 90 s in all,
                     30 s a message: for runs where how many will come is not known)
  sleep:SECONDS
  wait-close         receive until the server closes
Closing prints {"closed": code, "reason": reason}; a refused handshake {"refused": status}.
Every wait is bounded (10 s a message, 30 s for wait-close).
"""
import json
import sys
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    args = sys.argv[1:]
    url = args.pop(0)
    headers = {}
    origin = None
    steps = []
    while args:
        arg = args.pop(0)
        if arg == "--header":
            name, value = args.pop(0).split("=", 1)
            headers[name] = value
        elif arg == "--origin":
            origin = args.pop(0)
        else:
            steps.append(arg)
    try:
        ws = connect(url, additional_headers=headers, origin=origin, open_timeout=10, max_size=None, ping_interval=None)
    except InvalidStatus as error:
        emit({"refused": error.response.status_code})
        return
    emit({"open": True})
    try:
        for step in steps:
            kind, _, value = step.partition(":")
            if kind == "send":
                ws.send(value)
            elif kind == "big":
                ws.send("x" * int(value))
            elif kind == "recv":
                for _ in range(int(value)):
                    emit({"recv": ws.recv(timeout=10)})
            elif kind == "until":
                deadline = time.time() + 10
                while time.time() < deadline:
                    message = ws.recv(timeout=max(0.1, deadline - time.time()))
                    emit({"recv": message})
                    if value in message:
                        break
            elif kind == "stream-until":
                deadline = time.time() + 90
                while True:
                    remaining = deadline - time.time()
                    if remaining <= 0:
                        raise TimeoutError()
                    message = ws.recv(timeout=min(30, remaining))
                    emit({"recv": message})
                    if value in message:
                        break
            elif kind == "ids":
                ids, raw = [], []
                for _ in range(int(value)):
                    message = ws.recv(timeout=10)
                    raw.append(message)
                    ids.append(json.loads(message).get("id"))
                emit({"ids": ids, "raw": raw})
            elif kind == "watch":
                deadline = time.time() + float(value)
                while True:
                    remaining = deadline - time.time()
                    if remaining <= 0:
                        break
                    try:
                        message = ws.recv(timeout=remaining)
                    except TimeoutError:
                        break
                    emit({"recv": message, "at": time.time()})
            elif kind == "sleep":
                time.sleep(float(value))
            elif kind == "wait-close":
                deadline = time.time() + 30
                while time.time() < deadline:
                    ws.recv(timeout=max(0.1, deadline - time.time()))
                emit({"timeout": True})
        ws.close()
        emit({"done": True})
    except ConnectionClosed as closed:
        frame = closed.rcvd
        emit({"closed": frame.code if frame else None, "reason": frame.reason if frame else None})
    except TimeoutError:
        emit({"timeout": True})


if __name__ == "__main__":
    main()
