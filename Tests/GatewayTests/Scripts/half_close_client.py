#!/usr/bin/env python3
"""A client that half-closes its TCP connection (shutdown of its write side: a FIN, no close
frame) once its request is under way, then reads until the server closes the connection.
Prints one JSON line: {"status": code, "text": what came after the head, "eof_after": seconds
from the half-close to the server's close, or null when it was still open after SECONDS}.

usage: half_close_client.py HOST PORT ws STREAM SECONDS
         a WebSocket at /ws: handshake, subscribe to STREAM, wait for "subscribed", half-close
       half_close_client.py HOST PORT http PATH SECONDS
         GET PATH (kept alive): wait for the response head, half-close
       half_close_client.py HOST PORT request PATH SECONDS
         GET PATH and half-close right after the request, before any answer
"""
import base64
import json
import os
import socket
import sys
import time


def frame(text):
    payload = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81, 0x80 | len(payload)])
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def main():
    host, port, mode, target, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], min(float(sys.argv[5]), 15)
    sock = socket.create_connection((host, port), timeout=5)
    if mode == "ws":
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
    else:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    if mode == "request":
        sock.shutdown(socket.SHUT_WR)
    else:
        deadline = time.time() + 5
        while b"\r\n\r\n" not in data and time.time() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if mode == "ws":
            sock.sendall(frame(json.dumps({"op": "subscribe", "stream": target})))
            while b'"op":"subscribed"' not in data and time.time() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        sock.shutdown(socket.SHUT_WR)
    closed = time.time()
    eof_after = None
    deadline = closed + seconds
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            eof_after = round(time.time() - closed, 3)
            break
        if not chunk:
            eof_after = round(time.time() - closed, 3)
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    print(json.dumps({"status": status, "eof_after": eof_after, "text": body.decode(errors="replace")}), flush=True)


if __name__ == "__main__":
    main()
