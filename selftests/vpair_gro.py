#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# UDP GSO and GRO helpers of vpair_gro.sh: a sender that hands the
# kernel one big datagram to cut into equal segments (UDP_SEGMENT), and
# a receiver that tells how the segments arrived: one by one, or glued
# back together by GRO (UDP_GRO, which reports the segment size of what
# it glued in a control message).
#
#   vpair_gro.py send SRC DST PORT [--segs N] [--size S] [--bursts B]
#                     [--seconds T]
#       B times (default 1), send N segments of S bytes (default 10 of
#       1000) from SRC to DST:PORT with one sendmsg and UDP_SEGMENT S;
#       with --seconds, as many bursts as T seconds allow (a benchmark's
#       sender: a full socket buffer waits, errors of the way such as
#       ECONNREFUSED do not stop it). Prints "sent B bursts of N x S".
#   vpair_gro.py recv ADDR PORT --bytes TOTAL [--gro] [--timeout T]
#                     [--ready FILE]
#       Receive on ADDR:PORT until TOTAL payload bytes arrived or T
#       seconds (default 10) passed without any; with --gro the socket
#       asks for UDP_GRO. Creates FILE once it listens. Prints
#       "reads R bytes B max_read M gso_size G": R recvmsg calls, B bytes
#       in all, M the largest read, G the largest gso_size any control
#       message reported (0: none).
#
# Exit status: 0 when the exchange happened (recv: TOTAL bytes arrived),
# 1 when not, 2 on errors of the tool itself.

import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

SOL_UDP = 17
UDP_SEGMENT = 103
UDP_GRO = 104


def family(addr):
    if ipaddress.ip_address(addr).version == 6:
        return socket.AF_INET6
    return socket.AF_INET


def cmd_send(args):
    fam = family(args.dst)
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.bind((args.src, 0))
    sock.setsockopt(SOL_UDP, UDP_SEGMENT, args.size)
    payload = bytes(range(256)) * (args.segs * args.size // 256 + 1)
    payload = payload[:args.segs * args.size]
    dst = (args.dst, args.port)
    if args.seconds:
        bursts = 0
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            for _ in range(64):
                try:
                    sock.sendto(payload, dst)
                    bursts += 1
                except ConnectionRefusedError:
                    pass
        print("sent %d bursts of %d x %d" % (bursts, args.segs, args.size))
        return 0
    for _ in range(args.bursts):
        sent = sock.sendto(payload, dst)
        if sent != len(payload):
            print("short send: %d of %d" % (sent, len(payload)))
            return 1
    print("sent %d bursts of %d x %d" % (args.bursts, args.segs, args.size))
    return 0


def cmd_recv(args):
    fam = family(args.addr)
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    if args.gro:
        sock.setsockopt(SOL_UDP, UDP_GRO, 1)
    sock.bind((args.addr, args.port))
    if args.ready:
        open(args.ready, "w").close()
    reads = total = max_read = gso = 0
    while total < args.bytes:
        if not select.select([sock], [], [], args.timeout)[0]:
            break
        data, anc, _, _ = sock.recvmsg(1 << 16, socket.CMSG_SPACE(4))
        reads += 1
        total += len(data)
        max_read = max(max_read, len(data))
        for level, ctype, cdata in anc:
            if level == SOL_UDP and ctype == UDP_GRO:
                gso = max(gso, struct.unpack("i", cdata[:4])[0])
    print("reads %d bytes %d max_read %d gso_size %d" %
          (reads, total, max_read, gso), flush=True)
    return 0 if total >= args.bytes else 1


def main():
    p = argparse.ArgumentParser(description="vpair UDP GSO/GRO helper")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--segs", type=int, default=10)
    s.add_argument("--size", type=int, default=1000)
    s.add_argument("--bursts", type=int, default=1)
    s.add_argument("--seconds", type=float)
    s.set_defaults(func=cmd_send)
    s = sub.add_parser("recv")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("--bytes", type=int, required=True)
    s.add_argument("--gro", action="store_true")
    s.add_argument("--timeout", type=float, default=10)
    s.add_argument("--ready")
    s.set_defaults(func=cmd_recv)
    args = p.parse_args()
    try:
        return args.func(args)
    except OSError as e:
        print("%s: %s" % (args.cmd, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
