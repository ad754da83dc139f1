#!/usr/bin/env python3
"""seed_corpus.py OUTDIR CAPTURE...: fuzz corpus seeds from real and generated captures.

Writes OUTDIR/engine/<capture>.bin (the frames of the capture in fuzz_input.h's format, as far as
tshark decodes them; up to --frames frames) and OUTDIR/text/<capture>-N.txt (each Contact's URI and
parameters, one per line, and each syslog message). Only tshark is needed, not the plugin.

For the raw decoders it also writes OUTDIR/decoder/<capture>.bin (the first --raw-frames frames' bytes
with the protocols tshark saw in each, decrypted TLS records and reassembled IP payloads, in
fuzz_decoder.cpp's format, cut at --raw-bytes), OUTDIR/wire/<capture>-N.bin (link byte + one frame,
one per distinct protocol stack) and OUTDIR/sip_parse/<capture>-N.sip (SIP messages as sent over
UDP, TCP or inside TLS, and a TCP stream of several). A capture's key log <capture>.keys, when there
is one, decrypts its TLS; skinny-decode-as is decoded as SKINNY on port 2001, as its test does.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import json
import os
import re
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


# Wireshark's WTAP_ENCAP_ numbers (frame.encap_type) -> ka::wire::Link.
LINKS = {1: 1, 25: 2, 210: 3, 7: 4, 129: 5, 130: 6, 15: 7, 174: 7}
HINTS = {"sip": 0x01, "skinny": 0x02, "syslog": 0x04, "tls": 0x08}
SOURCE = re.compile(r"^(.+) \((\d+) bytes\):$")
HEXLINE = re.compile(r"^[0-9a-f]{4,}  ((?:[0-9a-f]{2} ){0,15}[0-9a-f]{2})")


# The Wi-Fi scenarios' networks (wlan-phone-sip-udp.cpp), as Wireshark's 802.11 key table takes them.
WIFI_KEYS = {"wlan-wep-": ("wep", "0b2c1e5d7f"), "wlan-wpa2-": ("wpa-pwd", "keepalive-8821:ClinicVoice")}


def capture_options(cap, readable=lambda path: path):
    """Options the bundled capture `cap` needs to be dissected as its tests dissect it: its key log,
    if it has one (the path passed through `readable`, which gives a copy tshark can read), the
    Decode As of skinny-decode-as and the key of the wlan-wep and wlan-wpa2 scenarios."""
    args = []
    keys = re.sub(r"\.pcap(ng)?$", ".keys", cap)
    if keys != cap and os.path.exists(keys):
        args += ["-o", "tls.keylog_file:" + readable(keys)]
    if "skinny-decode-as" in os.path.basename(cap):
        args += ["-d", "tcp.port==2001,skinny"]
    for prefix, (kind, key) in WIFI_KEYS.items():
        if os.path.basename(cap).startswith(prefix):
            args += ["-o", "wlan.enable_decryption:TRUE", "-o", 'uat:80211_keys:"%s","%s"' % (kind, key)]
    return args


def tshark_args(cap):
    return ["-n", "-r", cap] + capture_options(cap)


def hex_sources(cap, count):
    """Per frame, its data sources as [(name, bytes)] from `tshark -x`, the frame itself first."""
    p = subprocess.run(["tshark"] + tshark_args(cap) + ["-c", str(count), "-x"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    frames = []
    for block in p.stdout.split("\n\n"):
        sources = []
        for line in block.splitlines():
            m = SOURCE.match(line)
            if m:
                sources.append([m.group(1), bytearray()])
                continue
            m = HEXLINE.match(line)
            if m:
                if not sources:
                    sources.append(["Frame", bytearray()])
                sources[-1][1] += bytes.fromhex(m.group(1))
        if sources:
            frames.append([(name, bytes(b)) for name, b in sources])
    return frames


def raw_frames(cap, count):
    """[(hints, link, time, interface, frame bytes, [decrypted TLS], reassembled IP or None, protocols)]."""
    argv = ["tshark"] + tshark_args(cap) + ["-c", str(count), "-T", "fields", "-E", "separator=/t"]
    for name in ("frame.encap_type", "frame.time_epoch", "frame.interface_id", "frame.protocols"):
        argv += ["-e", name]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    sources = hex_sources(cap, count)
    if p.returncode != 0 or len(rows) != len(sources):
        print("skipped %s (tshark gave %d frames and %d hex dumps)" % (cap, len(rows), len(sources)),
              file=sys.stderr)
        return []
    out = []
    for row, srcs in zip(rows, sources):
        row += [""] * (4 - len(row))
        link = LINKS.get(num(row[0], -1), 0)
        hints = link << 4
        for proto in row[3].split(":"):
            hints |= HINTS.get(proto, 0)
        tls = [b for name, b in srcs[1:] if name.startswith("Decrypted TLS") and b]
        ip = [b for name, b in srcs[1:] if name.startswith(("Reassembled IPv4", "Reassembled IPv6"))]
        out.append((hints, link, float(row[1] or 0), num(row[2]), srcs[0][1], tls, ip[0] if ip else None, row[3]))
    return out


def encode_raw(frames, limit_bytes):
    """fuzz_decoder.cpp's records, up to about limit_bytes."""
    out = bytearray()
    prev = None
    for hints, _link, t, interface, data, tls, ip, _protocols in frames:
        step = 0 if prev is None else int(round((t - prev) * 1e6))
        prev = t
        step = max(-2**31, min(2**31 - 1, step))
        rec = struct.pack("<BiBH", hints | (0x80 if ip is not None else 0), step, interface & 0xff,
                          len(data[:65535])) + data[:65535]
        rec += struct.pack("<B", min(len(tls), 3))
        for b in tls[:3]:
            rec += struct.pack("<H", len(b[:65535])) + b[:65535]
        if ip is not None:
            rec += struct.pack("<H", len(ip[:65535])) + ip[:65535]
        if out and len(out) + len(rec) > limit_bytes:
            break
        out += rec
    return bytes(out)


def wire_seeds(frames, per_capture, max_bytes, seen):
    """One frame per protocol stack not seen before (tshark's frame.protocols, the length class)."""
    seeds = []
    for _h, link, _t, _i, data, _tls, ip, protocols in frames:
        key = (protocols, ip is not None, link, min(len(data) // 256, 4))
        if key in seen or len(data) > max_bytes:
            continue
        seen.add(key)
        seeds.append(struct.pack("<B", link) + data)
        if len(seeds) >= per_capture:
            break
    return seeds


def sip_seeds(cap, count, per_capture, frames):
    """SIP messages as their transport carried them, and up to 4 TCP payloads in a row as one stream."""
    argv = ["tshark"] + tshark_args(cap) + ["-c", str(count), "-T", "fields", "-e", "udp.payload", "-e", "tcp.payload",
                                            "-e", "frame.protocols"]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seeds, stream = [], bytearray()
    for line in p.stdout.splitlines():
        row = line.split("\t") + ["", "", ""]
        if "sip" not in row[2].split(":") or "tls" in row[2].split(":"):
            continue
        udp, tcp = row[0].split(",")[-1], row[1].split(",")[-1]
        payload = bytes.fromhex(udp or tcp)
        if not payload:
            continue
        if tcp and len(stream) < 8192:
            stream += payload
        seeds.append(payload)
    for _h, _l, _t, _i, _d, tls, _ip, _p in frames:
        for b in tls:
            if b[:3].isalpha():
                seeds.append(b)
    unique = []
    for b in seeds:
        if b not in unique:
            unique.append(b)
    # Spread the picks over the capture: REGISTERs, challenges, OKs and refreshes differ.
    if len(unique) > per_capture:
        unique = [unique[i * len(unique) // per_capture] for i in range(per_capture)]
    if len(stream) > max(len(b) for b in unique or [b""]):
        unique.append(bytes(stream))
    return unique


SYNTH_SIP = (b"REGISTER sip:10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
             b"From: <sip:100@10.0.0.1>;tag=1\r\nTo: <sip:100@10.0.0.1>\r\nCall-ID: frag-1@10.0.0.2\r\n"
             b"CSeq: 1 REGISTER\r\nContact: <sip:100@10.0.0.2:5060>;expires=120\r\nExpires: 120\r\n"
             b"Content-Length: 0\r\n\r\n")


def ipv4(payload, proto=17, ident=0, frag=0):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                      bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
    return hdr + payload


def ipv6(payload, nh=17):
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), nh, 64, bytes(15) + b"\x02", bytes(15) + b"\x01") + payload


def synthetic_frames():
    """Link types and IP fragments no bundled capture has: (hints, link, frame, reassembled IP or None)."""
    udp = struct.pack(">HHHH", 5060, 5060, 8 + len(SYNTH_SIP), 0) + SYNTH_SIP
    eth = bytes.fromhex("020000000001" "020000000002")
    frames = [
        (0x01, 3, struct.pack(">HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, bytes.fromhex("020000000002") + bytes(2)) +
         ipv4(udp), None),                                                  # Linux cooked v2
        (0x01, 7, struct.pack("<I", 2) + ipv4(udp), None),                 # BSD loopback, host order
        (0x01, 7, struct.pack(">I", 30) + ipv6(udp), None),                # loopback, IPv6, other order
        (0x01, 5, ipv4(udp), None),                                        # raw IPv4
        (0x01, 6, ipv6(udp), None),                                        # raw IPv6
    ]
    # The same datagram in two IPv4 fragments, then in two IPv6 fragments; Wireshark hands the
    # reassembled IP payload with the last one, where it sees SIP.
    cut = 64
    frames.append((0x00, 1, eth + b"\x08\x00" + ipv4(udp[:cut], ident=0x1234, frag=0x2000), None))
    frames.append((0x01, 1, eth + b"\x08\x00" + ipv4(udp[cut:], ident=0x1234, frag=cut // 8), udp))
    frag6 = lambda off, more, data: ipv6(struct.pack(">BBHI", 17, 0, off | more, 0x5678) + data, nh=44)  # noqa: E731
    frames.append((0x00, 6, frag6(0, 1, udp[:cut]), None))
    frames.append((0x01, 6, frag6(cut, 0, udp[cut:]), udp))
    return frames


def write_synthetic(outdir, targets):
    frames = synthetic_frames()
    if "decoder" in targets:
        records = [(hints | link << 4, link, 0.001 * i, 0, data, [], ip) + ("",)
                   for i, (hints, link, data, ip) in enumerate(frames)]
        with open(os.path.join(outdir, "decoder", "synthetic-links-fragments.bin"), "wb") as fh:
            fh.write(encode_raw(records, 1 << 20))
    if "wire" in targets:
        for n, (_h, link, data, _ip) in enumerate(frames, 1):
            with open(os.path.join(outdir, "wire", "synthetic-%d.bin" % n), "wb") as fh:
                fh.write(struct.pack("<B", link) + data)


TARGETS = ("engine", "text", "decoder", "wire", "sip_parse")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--frames", type=int, default=400, help="frames per engine seed")
    ap.add_argument("--raw-frames", type=int, default=200, help="frames per decoder seed")
    ap.add_argument("--raw-bytes", type=int, default=12000, help="bytes per decoder seed, about")
    ap.add_argument("--wire-seeds", type=int, default=2, help="wire seeds per capture")
    ap.add_argument("--wire-bytes", type=int, default=1500, help="longest frame for a wire seed")
    ap.add_argument("--sip-seeds", type=int, default=1, help="single SIP message seeds per capture")
    ap.add_argument("--targets", default=",".join(TARGETS), help="seeds for these fuzz targets (%(default)s)")
    a = ap.parse_args()
    targets = set(a.targets.split(","))
    wire_seen = set()
    for sub in TARGETS:
        if sub in targets:
            os.makedirs(os.path.join(a.outdir, sub), exist_ok=True)
    write_synthetic(a.outdir, targets)
    for cap in a.captures:
        base = os.path.basename(cap).split(".")[0]
        if targets & {"engine", "text"}:
            engine_seeds(a, cap, base, targets)
        if not targets & {"decoder", "wire", "sip_parse"}:
            continue
        frames = raw_frames(cap, a.raw_frames)
        if not frames:
            continue
        if "decoder" in targets:
            with open(os.path.join(a.outdir, "decoder", base + ".bin"), "wb") as fh:
                fh.write(encode_raw(frames, a.raw_bytes))
        if "wire" in targets:
            for n, seed in enumerate(wire_seeds(frames, a.wire_seeds, a.wire_bytes, wire_seen), 1):
                with open(os.path.join(a.outdir, "wire", "%s-%d.bin" % (base, n)), "wb") as fh:
                    fh.write(seed)
        if "sip_parse" in targets:
            for n, seed in enumerate(sip_seeds(cap, a.raw_frames, a.sip_seeds, frames), 1):
                with open(os.path.join(a.outdir, "sip_parse", "%s-%d.sip" % (base, n)), "wb") as fh:
                    fh.write(seed)
    return 0


def engine_seeds(a, cap, base, targets):
    argv = ["tshark", "-n", "-r", cap, "-c", str(a.frames), "-T", "json"]
    for name in FIELDS:
        argv += ["-e", name]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if p.returncode != 0 or not p.stdout.strip():
        print("skipped %s (tshark failed)" % cap, file=sys.stderr)
        return
    layers = [pkt["_source"]["layers"] for pkt in json.loads(p.stdout)]
    data, texts = encode(layers, a.frames)
    if "engine" in targets:
        with open(os.path.join(a.outdir, "engine", base + ".bin"), "wb") as fh:
            fh.write(data)
    if "text" not in targets:
        return
    seen = set()
    for lines in texts:
        text = "\n".join(lines)
        if text in seen:
            continue
        seen.add(text)
        with open(os.path.join(a.outdir, "text", "%s-%d.txt" % (base, len(seen))), "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    sys.exit(main())
