#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Socket-level checks of the vpair hardening tests: what a program on the
# receiving end can tell about a packet, and odd skbs only a tun device
# can make.
#
#   vpair_sock.py bound-tcp SDEV SADDR CDEV CADDR PORT
#       A TCP server bound (SO_BINDTODEVICE) to SDEV listens on SADDR; a
#       client bound to CDEV connects from CADDR and sends a line, the
#       server reads it. Prints "accepted" or why not.
#   vpair_sock.py pktinfo SRC DST [--bind DEV]
#       A UDP datagram from SRC to DST (the sender bound to DEV if
#       given); prints the interface IP_PKTINFO / IPV6_PKTINFO names for
#       it on the receiving socket.
#   vpair_sock.py rx-tstamp SRC DST
#       A UDP datagram sent with SO_TXTIME for CLOCK_TAI a thousand
#       seconds ahead; the receiver asks for SO_TIMESTAMPNS. Prints how
#       far the receive timestamp is from the receiver's clock, in
#       seconds ("skew 0.01"): a wire gives the receiver its own time.
#   vpair_sock.py tun-headless NAME COUNT DST [--setup SHELL] [--size N]
#       Make an L3 tun device NAME with a virtio-net header, run SHELL
#       (e.g. ip/tc commands that bring it up and redirect its ingress),
#       then write COUNT IPv4 packets of N bytes (default 6000) to DST.
#       Above a page, the tun driver puts all but their first byte in
#       paged memory: an skb with one byte in its linear part, and no
#       Ethernet header at all. Below 14 bytes, not even room for one.
#       Prints "wrote N".
#   vpair_sock.py tcp-bulk SADDR CADDR PORT BYTES
#       BYTES sent over one TCP connection from CADDR to a server on
#       SADDR, read back whole. Prints "received N bytes" or how far it
#       got.
#
# Exit status: 0 when the exchange happened, 1 when not, 2 on errors of
# the tool itself.

import argparse
import fcntl
import ipaddress
import select
import socket
import struct
import subprocess
import sys
import threading
import time

SO_TXTIME = 61
SCM_TXTIME = SO_TXTIME
SO_TIMESTAMPNS = 35
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
CLOCK_TAI = 11
IP_PKTINFO = 8
IPV6_RECVPKTINFO = 49
IPV6_PKTINFO = 50

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_VNET_HDR = 0x4000
ETH_P_IP = 0x0800

TIMEOUT = 5


def family(addr):
    if ipaddress.ip_address(addr).version == 6:
        return socket.AF_INET6
    return socket.AF_INET


def bind_dev(sock, dev):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                    dev.encode() + b"\0")


def cmd_bound_tcp(args):
    fam = family(args.saddr)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bind_dev(srv, args.sdev)
    srv.bind((args.saddr, args.port))
    srv.listen(1)
    cli = socket.socket(fam, socket.SOCK_STREAM)
    bind_dev(cli, args.cdev)
    cli.bind((args.caddr, 0))
    cli.settimeout(TIMEOUT)
    try:
        cli.connect((args.saddr, args.port))
    except OSError as e:
        print(f"connect from {args.cdev} failed: {e.strerror}")
        return 1
    cli.sendall(b"hello\n")
    srv.settimeout(TIMEOUT)
    try:
        conn, _ = srv.accept()
        conn.settimeout(TIMEOUT)
        data = conn.recv(64)
    except OSError as e:
        print(f"server on {args.sdev}: {e}")
        return 1
    if data != b"hello\n":
        print(f"server read {data!r}")
        return 1
    print("accepted")
    return 0


def recv_with_cmsg(sock):
    r, _, _ = select.select([sock], [], [], TIMEOUT)
    if not r:
        return None
    return sock.recvmsg(256, 256)


def cmd_pktinfo(args):
    fam = family(args.dst)
    rcv = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        rcv.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
    else:
        rcv.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    rcv.bind((args.dst, 0))
    port = rcv.getsockname()[1]
    snd = socket.socket(fam, socket.SOCK_DGRAM)
    if args.bind:
        bind_dev(snd, args.bind)
    snd.bind((args.src, 0))
    snd.sendto(b"pktinfo", (args.dst, port))
    msg = recv_with_cmsg(rcv)
    if not msg:
        print("nothing received")
        return 1
    for level, ctype, data in msg[1]:
        if level == socket.IPPROTO_IP and ctype == IP_PKTINFO:
            ifindex = struct.unpack("i", data[:4])[0]
        elif level == socket.IPPROTO_IPV6 and ctype == IPV6_PKTINFO:
            ifindex = struct.unpack("16sI", data[:20])[1]
        else:
            continue
        print(socket.if_indextoname(ifindex))
        return 0
    print("no pktinfo")
    return 1


def cmd_rx_tstamp(args):
    fam = family(args.dst)
    rcv = socket.socket(fam, socket.SOCK_DGRAM)
    rcv.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    rcv.bind((args.dst, 0))
    port = rcv.getsockname()[1]
    snd = socket.socket(fam, socket.SOCK_DGRAM)
    snd.setsockopt(socket.SOL_SOCKET, SO_TXTIME,
                   struct.pack("iI", CLOCK_TAI, 0))
    snd.bind((args.src, 0))
    txtime = time.clock_gettime_ns(time.CLOCK_TAI) + 1000 * 10**9
    snd.sendmsg([b"tstamp"], [(socket.SOL_SOCKET, SCM_TXTIME,
                               struct.pack("Q", txtime))], 0,
                (args.dst, port))
    msg = recv_with_cmsg(rcv)
    now = time.time()
    if not msg:
        print("nothing received")
        return 1
    for level, ctype, data in msg[1]:
        if level == socket.SOL_SOCKET and ctype == SCM_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            print(f"skew {abs(sec + nsec / 1e9 - now):.2f}")
            return 0
    print("no timestamp")
    return 1


def ipv4_udp(dst, size):
    if size < 28:
        return ipv4_udp(dst, 28)[:size]
    payload = bytes(size - 28)
    udp = struct.pack("!HHHH", 9, 9, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size, 0, 0, 64, 17, 0,
                      ipaddress.ip_address("198.51.100.1").packed,
                      ipaddress.ip_address(dst).packed)
    return hdr + udp


def cmd_tun_headless(args):
    tun = open("/dev/net/tun", "r+b", buffering=0)
    ifr = struct.pack("16sH", args.name.encode(), IFF_TUN | IFF_VNET_HDR)
    fcntl.ioctl(tun, TUNSETIFF, ifr)
    if args.setup:
        subprocess.run(args.setup, shell=True, check=True)
    # tun_pi, then virtio_net_hdr with hdr_len 1: tun copies one byte
    # into the linear part and the rest into pages.
    pi = struct.pack("!HH", 0, ETH_P_IP)
    vnet = struct.pack("<BBHHHH", 0, 0, 1, 0, 0, 0)
    frame = pi + vnet + ipv4_udp(args.dst, args.size)
    for _ in range(args.count):
        tun.write(frame)
    print(f"wrote {args.count}")
    return 0


def cmd_tcp_bulk(args):
    """Send args.bytes over one TCP connection from caddr to saddr."""
    fam = family(args.saddr)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.saddr, args.port))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    cli = socket.socket(fam, socket.SOCK_STREAM)
    cli.bind((args.caddr, 0))
    cli.settimeout(TIMEOUT)
    cli.connect((args.saddr, args.port))
    conn, _ = srv.accept()
    conn.settimeout(TIMEOUT)
    sent = []

    def send():
        try:
            cli.sendall(b"x" * args.bytes)
            sent.append(True)
        except OSError as e:
            print(f"client: {e}")
        cli.close()

    t = threading.Thread(target=send)
    t.start()
    got = 0
    try:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                break
            got += len(data)
    except OSError as e:
        print(f"server: {e} after {got} bytes")
    t.join()
    if got != args.bytes or not sent:
        print(f"server read {got} of {args.bytes} bytes")
        return 1
    print(f"received {got} bytes")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("bound-tcp")
    for a in ("sdev", "saddr", "cdev", "caddr"):
        s.add_argument(a)
    s.add_argument("port", type=int)
    s = sub.add_parser("pktinfo")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("--bind")
    s = sub.add_parser("rx-tstamp")
    s.add_argument("src")
    s.add_argument("dst")
    s = sub.add_parser("tcp-bulk")
    s.add_argument("saddr")
    s.add_argument("caddr")
    s.add_argument("port", type=int)
    s.add_argument("bytes", type=int)
    s = sub.add_parser("tun-headless")
    s.add_argument("name")
    s.add_argument("count", type=int)
    s.add_argument("dst")
    s.add_argument("--setup")
    s.add_argument("--size", type=int, default=6000)
    args = p.parse_args()
    cmds = {"bound-tcp": cmd_bound_tcp, "pktinfo": cmd_pktinfo,
            "rx-tstamp": cmd_rx_tstamp, "tun-headless": cmd_tun_headless,
            "tcp-bulk": cmd_tcp_bulk}
    try:
        return cmds[args.cmd](args)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"error: {e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
