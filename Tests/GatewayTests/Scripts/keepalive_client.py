#!/usr/bin/env python3
"""One kept-alive HTTP/1.1 connection to the gateway: sends a GET for PATH, reads for SECONDS
(at most 15) and prints {"status": code, "bytes": n, "eof_after": seconds or null, "text": what
came after the head}. eof_after is when the server closed the connection, measured from the end
of the request; null when it was still open at the end.

usage: keepalive_client.py HOST PORT PATH SECONDS
"""
import json
import socket
import sys
import time


def main():
    host, port, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], min(float(sys.argv[4]), 15)
    sock = socket.create_connection((host, port), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n".encode())
    sent = time.time()
    data, eof_after = b"", None
    deadline = sent + seconds
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            eof_after = round(time.time() - sent, 3)
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    print(json.dumps({"status": status, "bytes": len(data), "eof_after": eof_after, "text": body.decode(errors="replace")}), flush=True)


if __name__ == "__main__":
    main()
