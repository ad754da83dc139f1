#!/usr/bin/env python3
"""seed_corpus.py OUTDIR CAPTURE...: fuzz corpus seeds from real and generated captures.

Writes OUTDIR/engine/<capture>.bin (the frames of the capture in fuzz_input.h's format, as far as
tshark decodes them; up to --frames frames) and OUTDIR/text/<capture>-N.txt (each Contact's URI and
parameters, one per line, and each syslog message). Only tshark is needed, not the plugin.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import json
import os
import struct
import subprocess
import sys

FIELDS = [
    "frame.time_epoch", "frame.interface_id", "eth.src", "eth.dst", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.stream", "tcp.seq", "tcp.seq_raw", "tcp.len",
    "tcp.ack", "tcp.flags", "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission", "tls",
    "sip.Method", "sip.Status-Code", "sip.Call-ID", "sip.CSeq.seq", "sip.CSeq.method", "sip.Expires", "sip.to.addr",
    "sip.Via.branch", "sip.resend", "sip.contact.uri", "sip.contact.parameter",
    "skinny.messageId", "skinny.DeviceName", "skinny.keepAliveInterval", "skinny.secondaryKeepAliveInterval",
    "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.isgratuitous", "syslog.msg",
]
# Default preferences: refresh_delta 5, grace 15, late tolerance 1000 ms, 30, 60, 3, 3.
CONFIG = struct.pack("<BBHBBBB", 5, 15, 1000, 30, 60, 3, 3)


def s8(text):
    b = text.encode("utf-8", "replace")[:255]
    return struct.pack("<B", len(b)) + b


def s16(text):
    b = text.encode("utf-8", "replace")[:65535]
    return struct.pack("<H", len(b)) + b


def num(v, default=0):
    try:
        return int(v, 0)
    except (TypeError, ValueError):
        return default


class Hosts:
    """Addresses -> the fuzz format's host indexes 1..255."""

    def __init__(self):
        self.index = {}

    def __call__(self, key):
        if key is None:
            return 0
        return self.index.setdefault(key, len(self.index) % 255 + 1)


def encode(layers_list, limit):
    out = bytearray(CONFIG)
    hosts = Hosts()
    prev = None
    texts = []
    for layers in layers_list[:limit]:
        f = lambda k: layers.get(k, [])  # noqa: E731
        one = lambda k: (f(k) or [None])[0]  # noqa: E731
        t = float(one("frame.time_epoch") or 0)
        step = 0 if prev is None else int(round((t - prev) * 1e6))
        prev = t
        step = max(-2**31, min(2**31 - 1, step))
        flags = 0
        tcp = one("tcp.stream") is not None
        if tcp:
            flags |= 0x01
            if f("tls"):
                flags |= 0x10
            if f("tcp.analysis.retransmission") or f("tcp.analysis.fast_retransmission"):
                flags |= 0x20
        elif one("udp.srcport") is not None:
            flags |= 0x02
        if one("eth.src"):
            flags |= 0x04
        src, dst = one("ip.src"), one("ip.dst")
        if one("ipv6.src"):
            flags |= 0x08
            src, dst = one("ipv6.src"), one("ipv6.dst")
        if src is None:
            flags |= 0x40
        sport = num(one("tcp.srcport") or one("udp.srcport"))
        dport = num(one("tcp.dstport") or one("udp.dstport"))
        out += struct.pack("<BiBBBHH", flags, step, num(one("frame.interface_id")) & 0xff, hosts(src), hosts(dst),
                           sport & 0xffff, dport & 0xffff)
        if tcp:
            out += struct.pack("<BIIHIB", num(one("tcp.stream")) & 0xff, num(one("tcp.seq")) & 0xffffffff,
                               num(one("tcp.seq_raw")) & 0xffffffff, num(one("tcp.len")) & 0xffff,
                               num(one("tcp.ack")) & 0xffffffff, num(one("tcp.flags")) & 0xff)
        nsip = min(3, max(len(f("sip.CSeq.seq")), 1 if (f("sip.Method") or f("sip.Status-Code")) else 0))
        skinny_ids = f("skinny.messageId")[:3]
        arp = f("arp.opcode")[:3]
        syslog = f("syslog.msg")[:3]
        out += struct.pack("<B", nsip | len(skinny_ids) << 2 | len(arp) << 4 | len(syslog) << 6)
        methods, statuses = f("sip.Method"), f("sip.Status-Code")
        for i in range(nsip):
            request = i < len(methods)
            idx = lambda k: (f(k)[i] if i < len(f(k)) else (f(k) or [""])[0])  # noqa: E731
            sf = (0x01 if request else 0) | (0x02 if f("sip.Expires") else 0) | (0x04 if f("sip.resend") else 0)
            status = 0 if request else num(statuses[min(i - len(methods), len(statuses) - 1)] if statuses else "0")
            out += struct.pack("<B", sf) + s8(methods[i] if request else "") + struct.pack("<H", status & 0xffff)
            out += s8(idx("sip.Call-ID")) + struct.pack("<I", num(idx("sip.CSeq.seq")) & 0xffffffff)
            out += s8(idx("sip.CSeq.method")) + struct.pack("<I", num(idx("sip.Expires")) & 0xffffffff)
            out += s8(idx("sip.to.addr")) + s8(one("sip.Via.branch") or "") + struct.pack("<HH", 0, 0)
            uris = f("sip.contact.uri")[:3] if i == 0 else []
            out += struct.pack("<B", len(uris))
            params = f("sip.contact.parameter")
            for c, uri in enumerate(uris):
                mine = params[:7] if c == 0 else []
                out += s8(uri) + struct.pack("<B", len(mine)) + b"".join(s8(p.rstrip("\r\n")) for p in mine)
                texts.append([uri] + [p.rstrip("\r\n") for p in params])
        for i, mid in enumerate(skinny_ids):
            ka = f("skinny.keepAliveInterval")
            ka2 = f("skinny.secondaryKeepAliveInterval")
            out += struct.pack("<I", num(mid) & 0xffffffff) + s8(one("skinny.DeviceName") or "")
            out += struct.pack("<BII", (1 if ka else 0) | (2 if ka2 else 0), num((ka or ["0"])[0]), num((ka2 or ["0"])[0]))
        for i, op in enumerate(arp):
            mac = f("arp.src.hw_mac")[i] if i < len(f("arp.src.hw_mac")) else None
            sip_ = f("arp.src.proto_ipv4")[i] if i < len(f("arp.src.proto_ipv4")) else None
            tip = f("arp.dst.proto_ipv4")[i] if i < len(f("arp.dst.proto_ipv4")) else None
            grat = f("arp.isgratuitous")[i] if i < len(f("arp.isgratuitous")) else "0"
            out += struct.pack("<BBBBB", num(op) & 0xff, hosts(sip_), hosts(tip), 1 if grat in ("1", "True") else 0,
                               hosts(("mac", mac)))
        for m in syslog:
            out += s16(m)
            texts.append([m])
    return bytes(out), texts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--frames", type=int, default=400, help="frames per engine seed")
    a = ap.parse_args()
    for sub in ("engine", "text"):
        os.makedirs(os.path.join(a.outdir, sub), exist_ok=True)
    for cap in a.captures:
        argv = ["tshark", "-n", "-r", cap, "-c", str(a.frames), "-T", "json"]
        for name in FIELDS:
            argv += ["-e", name]
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if p.returncode != 0 or not p.stdout.strip():
            print("skipped %s (tshark failed)" % cap, file=sys.stderr)
            continue
        layers = [pkt["_source"]["layers"] for pkt in json.loads(p.stdout)]
        data, texts = encode(layers, a.frames)
        base = os.path.basename(cap).split(".")[0]
        with open(os.path.join(a.outdir, "engine", base + ".bin"), "wb") as fh:
            fh.write(data)
        seen = set()
        for lines in texts:
            text = "\n".join(lines)
            if text in seen:
                continue
            seen.add(text)
            with open(os.path.join(a.outdir, "text", "%s-%d.txt" % (base, len(seen))), "w") as fh:
                fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
