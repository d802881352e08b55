#!/usr/bin/env python3
"""A stand-in for systemd's notification socket in tests: binds a Unix datagram socket, and for each message
prints one JSON line {"at": <monotonic ms>, "fields": {...}}. File descriptors passed with a message (the
BARRIER=1 of systemd-notify) are closed at once, which is what tells the sender the message was read."""
import array, json, os, socket, sys, time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps({"listening": path}), flush=True)
while True:
    msg, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
    fields = dict(line.split("=", 1) for line in msg.decode().split("\n") if "=" in line)
    print(json.dumps({"at": time.monotonic() * 1000, "fields": fields}), flush=True)
