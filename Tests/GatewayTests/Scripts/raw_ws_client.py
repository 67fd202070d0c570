#!/usr/bin/env python3
"""A frame-level WebSocket client for /ws (plain sockets, RFC 6455 by hand), for what a library
client will not do: leave pings unanswered, fragment a message, send frames back to back,
drop the TCP connection in the middle of an operation. Prints one JSON object per line, flushed.

usage: raw_ws_client.py HOST PORT STEP...
steps:
  send:TEXT            one masked text frame
  burst:TEXT|TEXT|...  several text frames in one write
  frag:N:TEXT          TEXT as a text frame and N-1 continuation frames
  ping                 a ping frame with payload "hi"
  close:CODE           a close frame with CODE
  recv:N               read until N text frames came, printing {"recv": text}
  read:SECONDS         read frames for SECONDS (or until the server closes)
  drop                 reset the TCP connection (SO_LINGER 0) and exit
Every frame read is printed: {"recv": text}, {"ping": payload}, {"pong": payload},
{"closed": code, "reason": text, "after": seconds since start}; the end of the stream
{"eof": true, "after": seconds}. Pings are never answered. Every read is bounded (15 s).
"""
import json
import os
import socket
import struct
import sys
import time

START = time.time()


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def frame(opcode, payload, fin=True):
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", length)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", length)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def take(self, count, deadline):
        while len(self.buffer) < count:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def frame(self, deadline):
        first, second = self.take(2, deadline)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self.take(2, deadline))
        elif length == 127:
            (length,) = struct.unpack("!Q", self.take(8, deadline))
        return first & 0x0F, self.take(length, deadline)


def report(opcode, payload):
    """Prints one frame; true when it was a close frame."""
    if opcode == 1:
        emit({"recv": payload.decode()})
    elif opcode == 9:
        emit({"ping": payload.decode(errors="replace")})
    elif opcode == 10:
        emit({"pong": payload.decode(errors="replace")})
    elif opcode == 8:
        code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        emit({"closed": code, "reason": payload[2:].decode(errors="replace"), "after": round(time.time() - START, 3)})
        return True
    return False


def main():
    host, port, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            emit({"refused": True})
            return
        head += chunk
    reader = Reader(sock)
    reader.buffer = head.split(b"\r\n\r\n", 1)[1]
    emit({"open": head.startswith(b"HTTP/1.1 101")})
    try:
        for step in steps:
            kind, _, value = step.partition(":")
            if kind == "send":
                sock.sendall(frame(1, value.encode()))
            elif kind == "burst":
                sock.sendall(b"".join(frame(1, part.encode()) for part in value.split("|")))
            elif kind == "frag":
                count, _, text = value.partition(":")
                data, count = text.encode(), int(count)
                size = max(1, -(-len(data) // count))
                parts = [data[i : i + size] for i in range(0, len(data), size)]
                for index, part in enumerate(parts):
                    sock.sendall(frame(1 if index == 0 else 0, part, fin=index == len(parts) - 1))
            elif kind == "ping":
                sock.sendall(frame(9, b"hi"))
            elif kind == "close":
                sock.sendall(frame(8, struct.pack("!H", int(value))))
            elif kind == "recv":
                wanted, deadline = int(value), time.time() + 15
                while wanted > 0:
                    opcode, payload = reader.frame(deadline)
                    if report(opcode, payload):
                        return
                    wanted -= opcode == 1
            elif kind == "read":
                deadline = time.time() + min(float(value), 15)
                while True:
                    try:
                        opcode, payload = reader.frame(deadline)
                    except socket.timeout:
                        break
                    report(opcode, payload)
            elif kind == "drop":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
                emit({"dropped": True})
                return
    except EOFError:
        emit({"eof": True, "after": round(time.time() - START, 3)})
    except socket.timeout:
        emit({"timeout": True})


if __name__ == "__main__":
    main()
