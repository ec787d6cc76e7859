#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Traffic helpers of the vpair selftests, for what ping, socat and iperf3
# cannot do or cannot tell: frames written straight into a device, and
# transfers whose integrity and size are checked end to end.
#
#   vpair_pkt.py inject DEV SMAC DMAC SRC DST [--count N] [--timeout S]
#       Write N Ethernet/IP/UDP frames from SRC to DST (IPv4 or IPv6) into
#       DEV with an AF_PACKET socket, and count how many of them a UDP
#       socket bound to DST receives. Prints "received R of N".
#   vpair_pkt.py send DEV SMAC DMAC SRC DST [--count N]
#   vpair_pkt.py listen ADDR [--count N] [--timeout S] [--ready FILE]
#       inject split in two, for a sender and a receiver in different
#       namespaces: send writes the frames, listen counts the datagrams
#       that reach ADDR ("received R"; creates FILE once it listens).
#   vpair_pkt.py twosend DEV SMAC DMAC SRC DST [--count N] [--size S]
#                        [--port P] [--timeout T]
#       Two packet sockets on DEV write N frames each (default 100) in
#       turns, all alike to the byte: IPv4/UDP from SRC to DST's port P
#       (default the UDP port of inject's frames), S zero bytes of
#       payload (default 1000), DF set and one IP
#       ID, so that only the sockets that own them tell them apart. Then,
#       the sockets still open, wait up to T seconds (default 5) until
#       each socket's send queue is empty again. Prints "outq A B": the
#       bytes (TIOCOUTQ) each still counts as in flight.
#   vpair_pkt.py arp DEV SMAC SIP TIP [--count N]
#       Write N broadcast ARP requests "who has TIP, tell SIP" into DEV.
#   vpair_pkt.py udp SRC DST [--count N] [--timeout S]
#       The same through ordinary sockets: one bound to SRC sends, one
#       bound to DST receives.
#   vpair_pkt.py tcp-recv ADDR PORT
#       Accept one connection, read it to the end, print "BYTES SHA256".
#   vpair_pkt.py tcp-send SRC DST PORT BYTES [--pause-at B --paused FILE
#                         --resume FILE] [--duration S]
#       Connect from SRC, send BYTES random bytes, print "BYTES SHA256".
#       With --pause-at: once B bytes are sent and acknowledged, create
#       FILE (--paused) and wait for --resume to exist before sending the
#       rest. With --duration: send for S seconds instead (BYTES is a
#       lower bound), for traffic that runs while a test changes things.
#
# Exit status: 0 when everything sent arrived (twosend: both send queues
# empty again), 1 when not, 2 on errors of the tool itself (bad
# arguments, socket errors).
#
# Python (not a C test) because it runs from the source tree everywhere
# the shell tests run, and its start-up cost is paid once per exchange.

import argparse
import fcntl
import hashlib
import ipaddress
import os
import select
import socket
import struct
import sys
import termios
import time

UDP_PORT = 4789 + 1000
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_segment(src, dst, sport, dport, payload):
    """A UDP header and payload, checksummed over the pseudo-header."""
    length = 8 + len(payload)
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 17, length)
    else:
        pseudo = src.packed + dst.packed + struct.pack("!IxxxB", length, 17)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    check = csum(pseudo + hdr + payload)
    # 0 means "no checksum" in IPv4 and is invalid in IPv6: send ~0
    hdr = struct.pack("!HHHH", sport, dport, length, check or 0xFFFF)
    return hdr + payload


def ip_packet(src, dst, segment):
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment),
                  0x1234, 0x4000, 64, 17, 0, src.packed, dst.packed)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return ETH_P_IP, hdr + segment
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(segment), 17, 64,
              src.packed, dst.packed)
    return ETH_P_IPV6, hdr + segment


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def sockaddr(addr, port):
    ip = ipaddress.ip_address(addr)
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    return ip, family, (addr, port)


def receive(sock, count, timeout):
    """Payloads received on sock until count arrived or timeout passed."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            break
        got.append(sock.recv(2048))
    return got


def cmd_inject(args):
    src = ipaddress.ip_address(args.src)
    dst = ipaddress.ip_address(args.dst)
    _, family, addr = sockaddr(args.dst, UDP_PORT)

    rx = socket.socket(family, socket.SOCK_DGRAM)
    rx.bind(addr)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((args.dev, 0))

    sent = []
    for i in range(args.count):
        payload = b"vpair hairpin %d" % i
        proto, packet = ip_packet(src, dst, udp_segment(
            src, dst, UDP_PORT + 1, UDP_PORT, payload))
        frame = mac(args.dmac) + mac(args.smac) + struct.pack("!H", proto)
        tx.send(frame + packet)
        sent.append(payload)

    got = receive(rx, args.count, args.timeout)
    ok = sum(1 for p in got if p in sent)
    print("received %d of %d" % (ok, args.count))
    return 0 if ok == args.count else 1


def cmd_send(args):
    """inject's frames, without a receiver: for one in another namespace."""
    src = ipaddress.ip_address(args.src)
    dst = ipaddress.ip_address(args.dst)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((args.dev, 0))
    for i in range(args.count):
        proto, packet = ip_packet(src, dst, udp_segment(
            src, dst, UDP_PORT + 1, UDP_PORT, b"vpair hairpin %d" % i))
        frame = mac(args.dmac) + mac(args.smac) + struct.pack("!H", proto)
        tx.send(frame + packet)
    print("sent %d" % args.count)
    return 0


def send_queue(sock):
    """The bytes of sock's frames the kernel has not yet freed."""
    buf = bytearray(4)
    fcntl.ioctl(sock, termios.TIOCOUTQ, buf)
    return struct.unpack("i", buf)[0]


def cmd_twosend(args):
    """Identical frames from two owners; their send queues afterwards."""
    src = ipaddress.ip_address(args.src)
    dst = ipaddress.ip_address(args.dst)
    proto, packet = ip_packet(src, dst, udp_segment(
        src, dst, args.port + 1, args.port, bytes(args.size)))
    frame = mac(args.dmac) + mac(args.smac) + struct.pack("!H", proto)
    socks = []
    for _ in range(2):
        tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        tx.bind((args.dev, 0))
        socks.append(tx)
    for _ in range(args.count):
        for tx in socks:
            tx.send(frame + packet)
    deadline = time.monotonic() + args.timeout
    left = [send_queue(tx) for tx in socks]
    while left != [0, 0] and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [send_queue(tx) for tx in socks]
    print("outq %d %d" % tuple(left))
    return 0 if left == [0, 0] else 1


def cmd_listen(args):
    """How many of send's datagrams a socket bound to ADDR receives."""
    _, family, addr = sockaddr(args.addr, UDP_PORT)
    rx = socket.socket(family, socket.SOCK_DGRAM)
    rx.bind(addr)
    if args.ready:
        open(args.ready, "w").close()
    got = receive(rx, args.count, args.timeout)
    print("received %d" % len(got))
    return 0 if len(got) == args.count else 1


def cmd_arp(args):
    """A broadcast ARP request: who has TIP, tell SIP (at SMAC)."""
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((args.dev, 0))
    smac = mac(args.smac)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, smac,
                      ipaddress.ip_address(args.sip).packed, bytes(6),
                      ipaddress.ip_address(args.tip).packed)
    frame = b"\xff" * 6 + smac + struct.pack("!H", 0x0806) + arp
    for _ in range(args.count):
        tx.send(frame)
    print("sent %d" % args.count)
    return 0


def cmd_udp(args):
    _, family, src = sockaddr(args.src, 0)
    _, _, dst = sockaddr(args.dst, UDP_PORT)

    rx = socket.socket(family, socket.SOCK_DGRAM)
    rx.bind(dst)
    tx = socket.socket(family, socket.SOCK_DGRAM)
    tx.bind(src)
    sent = []
    for i in range(args.count):
        payload = b"vpair udp %d" % i
        tx.sendto(payload, dst)
        sent.append(payload)

    got = receive(rx, args.count, args.timeout)
    ok = sum(1 for p in got if p in sent)
    print("received %d of %d" % (ok, args.count))
    return 0 if ok == args.count else 1


def cmd_tcp_recv(args):
    _, family, addr = sockaddr(args.addr, args.port)

    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(addr)
    srv.listen(1)
    conn, _ = srv.accept()
    digest = hashlib.sha256()
    total = 0
    while True:
        data = conn.recv(1 << 16)
        if not data:
            break
        digest.update(data)
        total += len(data)
    print(total, digest.hexdigest(), flush=True)
    return 0


def connect(src, dst, timeout):
    """Connect from src to dst, retrying while the receiver starts."""
    _, family, local = sockaddr(src, 0)
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.bind(local)
        try:
            sock.connect(dst)
            return sock
        except ConnectionRefusedError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_acked(sock, timeout):
    """Wait until the peer acknowledged everything sent on sock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if send_queue(sock) == 0:
            return True
        time.sleep(0.05)
    return False


def cmd_tcp_send(args):
    _, _, dst = sockaddr(args.dst, args.port)
    sock = connect(args.src, dst, args.timeout)
    digest = hashlib.sha256()
    chunk_len = 1 << 16
    total = 0
    end = time.monotonic() + args.duration if args.duration else None

    while total < args.bytes or (end and time.monotonic() < end):
        if args.pause_at is not None and total >= args.pause_at:
            if not wait_acked(sock, args.timeout):
                print("data sent before the pause never acknowledged",
                      file=sys.stderr)
                return 1
            open(args.paused, "w").close()
            while not os.path.exists(args.resume):
                time.sleep(0.1)
            args.pause_at = None
        chunk = os.urandom(chunk_len)
        if total < args.bytes and not end:
            chunk = chunk[:args.bytes - total]
        try:
            sock.sendall(chunk)
        except OSError as e:
            # the pair was deleted under the connection
            print("send: %s" % e, file=sys.stderr)
            return 1
        digest.update(chunk)
        total += len(chunk)
    sock.shutdown(socket.SHUT_WR)
    # the receiver closes once it has read everything
    sock.recv(1)
    print(total, digest.hexdigest(), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description="vpair selftest traffic")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("inject")
    for a in ("dev", "smac", "dmac", "src", "dst"):
        s.add_argument(a)
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--timeout", type=float, default=5)
    s.set_defaults(func=cmd_inject)

    s = sub.add_parser("send")
    for a in ("dev", "smac", "dmac", "src", "dst"):
        s.add_argument(a)
    s.add_argument("--count", type=int, default=3)
    s.set_defaults(func=cmd_send)
    s = sub.add_parser("twosend")
    for a in ("dev", "smac", "dmac", "src", "dst"):
        s.add_argument(a)
    s.add_argument("--count", type=int, default=100)
    s.add_argument("--size", type=int, default=1000)
    s.add_argument("--port", type=int, default=UDP_PORT)
    s.add_argument("--timeout", type=float, default=5)
    s.set_defaults(func=cmd_twosend)
    s = sub.add_parser("listen")
    s.add_argument("addr")
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--timeout", type=float, default=5)
    s.add_argument("--ready")
    s.set_defaults(func=cmd_listen)
    s = sub.add_parser("arp")
    for a in ("dev", "smac", "sip", "tip"):
        s.add_argument(a)
    s.add_argument("--count", type=int, default=3)
    s.set_defaults(func=cmd_arp)
    s = sub.add_parser("udp")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--timeout", type=float, default=5)
    s.set_defaults(func=cmd_udp)

    s = sub.add_parser("tcp-recv")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.set_defaults(func=cmd_tcp_recv)

    s = sub.add_parser("tcp-send")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("bytes", type=int)
    s.add_argument("--pause-at", type=int)
    s.add_argument("--paused")
    s.add_argument("--resume")
    s.add_argument("--duration", type=float)
    s.add_argument("--timeout", type=float, default=30)
    s.set_defaults(func=cmd_tcp_send)

    args = p.parse_args()
    if getattr(args, "pause_at", None) is not None and \
            not (args.paused and args.resume):
        p.error("--pause-at needs --paused and --resume")
    try:
        return args.func(args)
    except OSError as e:
        print("%s: %s" % (args.cmd, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
