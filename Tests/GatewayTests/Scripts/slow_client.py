#!/usr/bin/env python3
"""A WebSocket client that subscribes and then does not read, with a small receive buffer, so
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
    host, port = sys.argv[1], int(sys.argv[2])
    stream = sys.argv[3] if len(sys.argv) > 3 else "aws-metrics"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    request = (
        f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    payload = json.dumps({"op": "subscribe", "stream": stream}).encode()
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
