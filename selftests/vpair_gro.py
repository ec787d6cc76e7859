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
#   vpair_gro.py rawpair DEV DSTMAC SRC DST PORT [--count N] [--size S]
#                     [--timeout T]
#       Two packet sockets on DEV send N UDP datagrams of S bytes each
#       (default 100 of 1000) from SRC:PORT to DST:PORT at DSTMAC,
#       taking turns: frames alike to the byte (DF set, IP ID 0), so that
#       only their owners tell them apart. Then, the sockets still open,
#       wait up to T seconds (default 5) until the kernel has given back
#       what each frame took of its socket's send buffer. Prints "outq A
#       B": the bytes (SIOCOUTQ) each socket still counts as in flight.
#
# Exit status: 0 when the exchange happened (recv: TOTAL bytes arrived;
# rawpair: both send buffers back to 0), 1 when not, 2 on errors of the
# tool itself.

import argparse
import fcntl
import ipaddress
import select
import socket
import struct
import sys
import time

SOL_UDP = 17
UDP_SEGMENT = 103
UDP_GRO = 104
SIOCOUTQ = 0x5411


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


def outq(sock):
    buf = fcntl.ioctl(sock.fileno(), SIOCOUTQ, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def udp_frame(dev, dstmac, src, dst, port, size):
    with open("/sys/class/net/%s/address" % dev) as f:
        srcmac = bytes.fromhex(f.read().strip().replace(":", ""))
    saddr = socket.inet_aton(src)
    daddr = socket.inet_aton(dst)
    payload = bytes(range(256)) * (size // 256 + 1)
    payload = payload[:size]
    ulen = 8 + size
    pseudo = saddr + daddr + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", port, port, ulen, 0) + payload
    check = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", check) + udp[8:]
    # IP ID 0 with DF: what GRO glues whatever the order (atomic IDs)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dstmac.replace(":", "")) + srcmac + b"\x08\x00"
    return eth + ip + udp


def cmd_rawpair(args):
    frame = udp_frame(args.dev, args.dstmac, args.src, args.dst, args.port,
                      args.size)
    socks = []
    for _ in range(2):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        sock.bind((args.dev, 0))
        socks.append(sock)
    for _ in range(args.count):
        for sock in socks:
            sock.send(frame)
    end = time.monotonic() + args.timeout
    while True:
        left = [outq(sock) for sock in socks]
        if left == [0, 0] or time.monotonic() >= end:
            break
        time.sleep(0.1)
    print("outq %d %d" % tuple(left), flush=True)
    return 0 if left == [0, 0] else 1


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
    s = sub.add_parser("rawpair")
    s.add_argument("dev")
    s.add_argument("dstmac")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--count", type=int, default=100)
    s.add_argument("--size", type=int, default=1000)
    s.add_argument("--timeout", type=float, default=5)
    s.set_defaults(func=cmd_rawpair)
    args = p.parse_args()
    try:
        return args.func(args)
    except OSError as e:
        print("%s: %s" % (args.cmd, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
