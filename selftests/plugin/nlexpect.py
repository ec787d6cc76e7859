#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Expected rtnetlink requests for plugin_request.sh.

The expected bytes are built here from first principles: the uapi numbers
are written out below (not taken from the plugin or any header it uses),
and every attribute spells out its own type, length, padding and nesting,
so a wrong attribute type, a missing NUL, bad padding or a wrong nest in
link_vpair.so shows up as a byte that differs.

  nlexpect.py match CAPTURE EXPR
      The last RTM_NEWLINK in CAPTURE (written by nlcapture.so) must equal
      EXPR, a Python expression over the builders below; any_of() lists
      the encodings of one request that differ between ip releases, and
      the two encodings of IFLA_INFO_KIND are tried by match itself.
  nlexpect.py changes CAPTURE
      Prints how many requests in CAPTURE would change something: any
      request but a GET, not counting the empty RTM_NEWLINK with which ip
      probes the kernel before it parses anything.
"""

import struct
import sys

# <linux/netlink.h>
NLM_F_REQUEST = 0x001
NLM_F_ACK = 0x004
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLMSG_HDRLEN = 16

# <linux/rtnetlink.h>
RTM_BASE = 16
RTM_NEWLINK = 16

# <linux/if.h>
IFF_UP = 0x1

# <linux/if_link.h>
IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_MTU = 4
IFLA_LINKINFO = 18
IFLA_NET_NS_PID = 19
IFLA_NET_NS_FD = 28
IFLA_NUM_TX_QUEUES = 31
IFLA_NUM_RX_QUEUES = 32
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2

# include/uapi/linux/vpair.h
IFLA_VPAIR_PEER = 1
IFLA_VPAIR_HAIRPIN = 2
IFLA_VPAIR_LOOPBACK_BYPASS = 3

# What "ip link add" and "ip link set" put in nlmsg_flags.
ADD = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
SET = NLM_F_REQUEST | NLM_F_ACK

IFINFOMSG_LEN = 16


class Blob:
    """Bytes plus holes: (offset, length, rule) for bytes that may vary."""

    def __init__(self, data=b'', holes=()):
        self.data = bytes(data)
        self.holes = list(holes)

    def __add__(self, other):
        other = blob(other)
        shifted = [(off + len(self.data), n, rule)
                   for off, n, rule in other.holes]
        return Blob(self.data + other.data, self.holes + shifted)

    def __len__(self):
        return len(self.data)


def blob(x):
    return x if isinstance(x, Blob) else Blob(x)


def join(parts):
    out = Blob()
    for part in parts:
        out += part
    return out


def attr(atype, payload=b''):
    """struct rtattr {u16 len; u16 type}, payload, zeros up to 4 bytes."""
    payload = blob(payload)
    hdr = struct.pack('=HH', 4 + len(payload), atype)
    return Blob(hdr) + payload + bytes(-len(payload) % 4)


def nest(atype, *attrs):
    return attr(atype, join(attrs))


def u8(atype, val):
    return attr(atype, struct.pack('=B', val))


def u32(atype, val):
    return attr(atype, struct.pack('=I', val))


def strz(atype, s):
    """A string with its NUL, as IFLA_IFNAME."""
    return attr(atype, s.encode() + b'\0')


def string(atype, s):
    """A string without NUL, as ip sends IFLA_INFO_KIND."""
    return attr(atype, s.encode())


def lladdr(atype, s):
    return attr(atype, bytes(int(x, 16) for x in s.split(':')))


def netns_fd(inode):
    """IFLA_NET_NS_FD: any descriptor, so long as ip held it on the
    network namespace with this inode when it sent the request."""
    return attr(IFLA_NET_NS_FD, Blob(bytes(4), [(0, 4, ('netns', inode))]))


def ifinfomsg(index=0, flags=0, change=0):
    # family AF_UNSPEC, pad, type 0, index, flags, change
    return Blob(struct.pack('=BxHiII', 0, 0, index, flags, change))


def newlink(flags, ifi, *attrs):
    body = ifi + join(attrs)
    hdr = struct.pack('=IHH', NLMSG_HDRLEN + len(body), RTM_NEWLINK, flags)
    # nlmsg_seq and nlmsg_pid are ip's business
    seq_pid = Blob(bytes(8), [(0, 4, ('any',)), (4, 4, ('any',))])
    return Blob(hdr) + seq_pid + body


def any_of(*alternatives):
    return list(alternatives)


# ip sends IFLA_INFO_KIND without its NUL up to iproute2 6.18, with it
# from 6.19 on (iproute2 commit 683815ed). match tries both.
KIND_NUL = False


def vpair(*data):
    """IFLA_LINKINFO for kind vpair, with IFLA_INFO_DATA if data given."""
    kind = strz if KIND_NUL else string
    info = [kind(IFLA_INFO_KIND, 'vpair')]
    if data:
        info.append(nest(IFLA_INFO_DATA, *data))
    return nest(IFLA_LINKINFO, *info)


def peer(ifi, *attrs):
    """IFLA_VPAIR_PEER: an ifinfomsg, then the peer's IFLA_* attributes."""
    return attr(IFLA_VPAIR_PEER, ifi + join(attrs))


def read_capture(path):
    """[(request bytes, {fd: netns inode held at send time})]"""
    requests = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words[0] == 'request':
                requests.append((bytes.fromhex(words[1]), {}))
            elif words[0] == 'netns-fd' and requests:
                requests[-1][1][int(words[1])] = int(words[2])
    return requests


def msg_type(data):
    return struct.unpack_from('=H', data, 4)[0]


def is_probe(data):
    """ip's check that RTM_NEWLINK exists: an ifinfomsg of zeros."""
    return (msg_type(data) == RTM_NEWLINK and
            data[NLMSG_HDRLEN:] == bytes(IFINFOMSG_LEN))


def is_change(data):
    mtype = msg_type(data)
    is_get = mtype >= RTM_BASE and mtype & 3 == 2
    return not is_get and not is_probe(data)


def mismatch(expected, data, netns):
    """None if data fits expected, else why not."""
    if len(data) != len(expected.data):
        return 'length %d, expected %d' % (len(data), len(expected.data))
    free = {}
    for off, n, rule in expected.holes:
        for i in range(off, off + n):
            free[i] = True
        if rule[0] == 'netns':
            fd = struct.unpack_from('=i', data, off)[0]
            if netns.get(fd) != rule[1]:
                return ('offset %d: fd %d is not on netns inode %d '
                        '(held: %s)' % (off, fd, rule[1], netns))
    for i, (a, b) in enumerate(zip(data, expected.data)):
        if i not in free and a != b:
            return 'first difference at offset %d' % i
    return None


# Names for the decoded dump printed on failure.
NESTS = {
    'ifla': ({IFLA_LINKINFO: 'linkinfo'}, {
        IFLA_ADDRESS: 'IFLA_ADDRESS', IFLA_IFNAME: 'IFLA_IFNAME',
        IFLA_MTU: 'IFLA_MTU', IFLA_LINKINFO: 'IFLA_LINKINFO',
        IFLA_NET_NS_PID: 'IFLA_NET_NS_PID', IFLA_NET_NS_FD: 'IFLA_NET_NS_FD',
        IFLA_NUM_TX_QUEUES: 'IFLA_NUM_TX_QUEUES',
        IFLA_NUM_RX_QUEUES: 'IFLA_NUM_RX_QUEUES'}),
    'linkinfo': ({IFLA_INFO_DATA: 'vpair'}, {
        IFLA_INFO_KIND: 'IFLA_INFO_KIND', IFLA_INFO_DATA: 'IFLA_INFO_DATA'}),
    'vpair': ({IFLA_VPAIR_PEER: 'peer'}, {
        IFLA_VPAIR_PEER: 'IFLA_VPAIR_PEER',
        IFLA_VPAIR_HAIRPIN: 'IFLA_VPAIR_HAIRPIN',
        IFLA_VPAIR_LOOPBACK_BYPASS: 'IFLA_VPAIR_LOOPBACK_BYPASS'}),
}


def decode_ifinfomsg(data, off, indent, out):
    if len(data) - off < IFINFOMSG_LEN:
        out.append('%sifinfomsg truncated: %s' % (indent, data[off:].hex()))
        return len(data)
    fam, typ, idx, flags, change = struct.unpack_from('=BxHiII', data, off)
    out.append('%sifinfomsg family %d type %d index %d flags %#x change %#x'
               % (indent, fam, typ, idx, flags, change))
    return off + IFINFOMSG_LEN


def decode_attrs(data, off, end, space, indent, out):
    nests, names = NESTS[space]
    while off + 4 <= end:
        alen, atype = struct.unpack_from('=HH', data, off)
        name = names.get(atype & 0x3fff, 'type %d' % atype)
        if alen < 4 or off + alen > end:
            out.append('%sbad attribute len %d at offset %d' %
                       (indent, alen, off))
            return
        out.append('%s%s len %d @%d' % (indent, name, alen, off))
        inner = nests.get(atype & 0x3fff)
        if inner == 'peer':
            start = decode_ifinfomsg(data, off + 4, indent + '  ', out)
            decode_attrs(data, start, off + alen, 'ifla', indent + '  ', out)
        elif inner:
            decode_attrs(data, off + 4, off + alen, inner, indent + '  ', out)
        else:
            out.append('%s  %s' % (indent, data[off + 4:off + alen].hex()))
        off += (alen + 3) & ~3
    if off != end:
        out.append('%s%d stray bytes at offset %d' % (indent, end - off, off))


def decode(data):
    out = []
    mlen, mtype, flags, seq, pid = struct.unpack_from('=IHHII', data)
    out.append('nlmsghdr len %d type %d flags %#x' % (mlen, mtype, flags))
    off = decode_ifinfomsg(data, NLMSG_HDRLEN, '  ', out)
    decode_attrs(data, off, len(data), 'ifla', '  ', out)
    return '\n'.join(out)


def cmd_match(path, expr):
    newlinks = [r for r in read_capture(path)
                if msg_type(r[0]) == RTM_NEWLINK and not is_probe(r[0])]
    if not newlinks:
        print('no RTM_NEWLINK request was sent')
        return 1
    data, netns = newlinks[-1]
    global KIND_NUL
    why = {}
    for KIND_NUL in (False, True):
        expected = eval(expr.strip(), globals())
        if not isinstance(expected, list):
            expected = [expected]
        why[KIND_NUL] = []
        for alternative in expected:
            reason = mismatch(alternative, data, netns)
            if reason is None:
                return 0
            why[KIND_NUL].append((alternative, reason))
    # Compare with the expectation for the KIND encoding this ip uses.
    kind_nul = strz(IFLA_INFO_KIND, 'vpair').data in data
    for expected, reason in why[kind_nul]:
        print('not as expected: %s' % reason)
        print('expected:\n' + decode(expected.data))
    print('sent:\n' + decode(data))
    print('sent (hex): ' + data.hex())
    return 1


def cmd_changes(path):
    print(sum(1 for data, _ in read_capture(path) if is_change(data)))
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == 'match':
        return cmd_match(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == 'changes':
        return cmd_changes(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
