#!/usr/bin/env python3
"""A scripted Socket.IO client for the gateway tests: the PyPI `python-socketio` client, an
independent implementation of Engine.IO v4 and Socket.IO v5 (what socket.io-client v4 speaks).
Prints one JSON object per line, flushed, so the Swift test can follow along.

usage: sio_client.py URL [--transports polling,websocket] [--token JWT] [--namespace NS]
                         [--reconnect] [--ids-only] [--in-order] [--on-connect EVENT=JSON]... STEP...
--ids-only prints {"event": name, "id": id} instead of whole payloads (for long runs).
--in-order handles events in the order they arrive: the Engine.IO client otherwise hands each
message to a thread of its own, so what is printed can be out of the order it was received.
steps:
  emit:EVENT[=JSON]     emit EVENT (with a JSON payload)
  call:EVENT[=JSON]     emit and wait for the ack, printing {"ack": EVENT, "data": [...]}
  wait:EVENT[=N]        wait until N (default 1) EVENT events have been received in all (10 s)
  sleep:SECONDS
  disconnect            disconnect cleanly
  wait-disconnect       wait until the server disconnects the client (30 s)
  wait-reconnect        wait for one more connect after a disconnect (30 s)
Prints {"connected": sid, "transport": name} on every connect, {"event": name, "data": payload}
for every event, {"connect_error": data} when refused, {"disconnected": reason}, {"done": true}.
"""
import json
import sys
import threading
import time

import socketio


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    args = sys.argv[1:]
    url = args.pop(0)
    transports = ["polling", "websocket"]
    token = None
    namespace = "/aws-realtime"
    reconnect = False
    ids_only = False
    in_order = False
    on_connect = []
    steps = []
    while args:
        arg = args.pop(0)
        if arg == "--transports":
            transports = args.pop(0).split(",")
        elif arg == "--token":
            token = args.pop(0)
        elif arg == "--namespace":
            namespace = args.pop(0)
        elif arg == "--reconnect":
            reconnect = True
        elif arg == "--ids-only":
            ids_only = True
        elif arg == "--in-order":
            in_order = True
        elif arg == "--on-connect":
            name, _, payload = args.pop(0).partition("=")
            on_connect.append((name, json.loads(payload) if payload else None))
        else:
            steps.append(arg)

    sio = socketio.Client(reconnection=reconnect, reconnection_delay=0.2, reconnection_delay_max=1)
    if in_order:
        trigger = sio.eio._trigger_event

        def trigger_in_order(event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        sio.eio._trigger_event = trigger_in_order
    counts = {}
    lock = threading.Condition()
    state = {"connects": 0, "disconnects": 0}

    @sio.on("*", namespace=namespace)
    def any_event(event, *data):
        payload = data[0] if len(data) == 1 else list(data)
        if ids_only:
            emit({"event": event, "id": payload.get("id") if isinstance(payload, dict) else None})
        else:
            emit({"event": event, "data": payload})
        with lock:
            counts[event] = counts.get(event, 0) + 1
            lock.notify_all()

    @sio.on("connect", namespace=namespace)
    def connected():
        emit({"connected": sio.get_sid(namespace), "transport": sio.transport()})
        for name, payload in on_connect:
            sio.emit(name, payload, namespace=namespace)
        with lock:
            state["connects"] += 1
            lock.notify_all()

    @sio.on("connect_error", namespace=namespace)
    def connect_error(data):
        emit({"connect_error": data})

    @sio.on("disconnect", namespace=namespace)
    def disconnected(reason=None):
        emit({"disconnected": str(reason)})
        with lock:
            state["disconnects"] += 1
            lock.notify_all()

    def wait_until(predicate, timeout):
        deadline = time.time() + timeout
        with lock:
            while not predicate():
                remaining = deadline - time.time()
                if remaining <= 0:
                    return False
                lock.wait(remaining)
        return True

    auth = {"token": token} if token else None
    try:
        sio.connect(url, namespaces=[namespace], transports=transports, auth=auth, wait_timeout=10)
    except socketio.exceptions.ConnectionError as error:
        emit({"connect_error": str(error)})
        emit({"done": True})
        return
    for step in steps:
        kind, _, value = step.partition(":")
        name, _, payload = value.partition("=")
        data = json.loads(payload) if payload else None
        if kind == "emit":
            sio.emit(name, data, namespace=namespace)
        elif kind == "call":
            reply = sio.call(name, data, namespace=namespace, timeout=10)
            emit({"ack": name, "data": reply})
        elif kind == "wait":
            want = int(payload or "1")
            if not wait_until(lambda: counts.get(name, 0) >= want, 10):
                emit({"timeout": name, "count": counts.get(name, 0)})
        elif kind == "sleep":
            time.sleep(float(value))
        elif kind == "disconnect":
            sio.disconnect()
        elif kind == "wait-disconnect":
            if not wait_until(lambda: state["disconnects"] >= 1, 30):
                emit({"timeout": "disconnect"})
        elif kind == "wait-reconnect":
            before = state["connects"]
            if not wait_until(lambda: state["connects"] > before, 30):
                emit({"timeout": "reconnect"})
    emit({"done": True})
    try:
        sio.disconnect()
    except Exception:
        pass


if __name__ == "__main__":
    main()
