#!/usr/bin/env python3
"""A WebSocket client that subscribes and then does not read (natively at /ws, or with
`--socketio` as a Socket.IO client of /socket.io/), with a small receive buffer, so
the gateway's outbound queue for it fills. Prints {"subscribed": true} once the request is sent,
then waits for a line on stdin (or 30 s), drains what it can and prints {"eof": bool, "bytes": n}:
eof true means the server closed the connection.
"""
import json
import select
import socket
import sys
import time


def main():
    arguments = [a for a in sys.argv[1:] if a != "--socketio"]
    socketio = "--socketio" in sys.argv
    host, port = arguments[0], int(arguments[1])
    stream = arguments[2] if len(arguments) > 2 else "aws-metrics"
    path = "/socket.io/?EIO=4&transport=websocket" if socketio else "/ws"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    if socketio:
        messages = ["40/aws-realtime,", '42/aws-realtime,["subscribe-%s"]' % stream]
    else:
        messages = [json.dumps({"op": "subscribe", "stream": stream})]
    for message in messages:
        payload = message.encode()
        sock.sendall(bytes([0x81, 0x80 | len(payload), 0, 0, 0, 0]) + payload)
    print(json.dumps({"subscribed": True}), flush=True)
    select.select([sys.stdin], [], [], 30)
    total, eof = 0, False
    sock.settimeout(2)
    deadline = time.time() + 20
    try:
        while time.time() < deadline:
            chunk = sock.recv(1 << 20)
            if not chunk:
                eof = True
                break
            total += len(chunk)
    except socket.timeout:
        pass
    except ConnectionResetError:
        eof = True
    print(json.dumps({"eof": eof, "bytes": total}), flush=True)


if __name__ == "__main__":
    main()
