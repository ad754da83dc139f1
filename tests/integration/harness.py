"""Runs the installed system tshark with the freshly built plugin, the way users do.

As root, tshark ignores personal plugin folders (WIRESHARK_PLUGIN_DIR included), so the harness
runs it as an unprivileged user (nobody) from a world-readable sandbox holding a copy of the
plugin, a HOME and the captures. Every test asserts that the plugin really loaded.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import atexit
import contextlib
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("KA_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("KA_BUILD_DIR", os.path.join(SOURCE, "build"))
PUBLIC = os.path.join(SOURCE, "captures", "third_party")
GENERATED = os.path.join(BUILD, "captures")

_sandbox = None
_copies = {}


def checksum(header):
    """The Internet checksum of an IPv4 header whose checksum field is zero."""
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(proto, src, dst, payload, ident=0, tos=0):
    """An IPv4 packet (no options, TTL 64, not fragmented) from `src` to `dst` (4 bytes each),
    its header checksum set."""
    header = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ident, 0, 64, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def busy_vlan_frame(net, host):
    """An Ethernet frame of traffic a busy VLAN carries that no dissector of ours reads: a UDP
    datagram of 160 bytes from 10.99.`net`.`host` to 10.99.`net`.200."""
    udp = struct.pack("!HHHH", 40000, 40002, 8 + 160, 0) + bytes(160)
    return (bytes.fromhex("020000000002") + bytes([2, 0, 0, net, 1, host]) + b"\x08\x00" +
            ipv4(17, bytes([10, 99, net, host]), bytes([10, 99, net, 200]), udp))


def rewrite_capture(src, dst, wrap, linktype=1):
    """Writes the classic little-endian pcap `src` to `dst` (link type `linktype`) with every frame
    passed through wrap(frame, index), which returns a frame or a list, each item a frame sent at
    the same time or a (delay in microseconds, frame) pair sent later; frames end up in time order."""
    with open(src, "rb") as f:
        data = f.read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xA1B2C3D4, "classic little-endian pcap expected"
    records, at, n = [], 24, 0
    while at < len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[at:at + 16])
        frames = wrap(data[at + 16:at + 16 + incl], n)
        for item in frames if isinstance(frames, list) else [frames]:
            delay, frame = item if isinstance(item, tuple) else (0, item)
            records.append((sec * 1000000 + usec + delay, len(records), frame))
        at += 16 + incl
        n += 1
    records.sort()
    with open(dst, "wb") as f:
        f.write(data[:20] + struct.pack("<I", linktype))
        for t, _, frame in records:
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)


def _make_sandbox():
    global _sandbox
    if _sandbox:
        return _sandbox
    plugins = glob.glob(os.path.join(BUILD, "plugins", "*", "epan", "keepalive.so"))
    if not plugins:
        raise RuntimeError("keepalive.so not built under %s/plugins" % BUILD)
    root = tempfile.mkdtemp(prefix="ka-tshark-")
    atexit.register(shutil.rmtree, root, True)
    abi = os.path.basename(os.path.dirname(os.path.dirname(plugins[0])))
    dest = os.path.join(root, "plugins", abi, "epan")
    os.makedirs(dest)
    shutil.copy(plugins[0], dest)
    os.makedirs(os.path.join(root, "home", ".config", "wireshark"))
    os.makedirs(os.path.join(root, "captures"))
    for d, _, files in os.walk(root):
        os.chmod(d, 0o777)
        for f in files:
            os.chmod(os.path.join(d, f), 0o755)
    _sandbox = root
    return root


def _capture_copy(path):
    if path not in _copies:
        root = _make_sandbox()
        dest = os.path.join(root, "captures", "%d-%s" % (len(_copies), os.path.basename(path)))
        shutil.copy(path, dest)
        os.chmod(dest, 0o644)
        _copies[path] = dest
    return _copies[path]


def workdir():
    """A folder tshark's unprivileged user can read, to run in: Wireshark reads files such as its
    GIOP dissector's IOR.txt from the current folder and complains when it cannot."""
    return _make_sandbox()


def command(args):
    """The tshark command line (a list) with the plugin loaded, run unprivileged when we are root."""
    root = _make_sandbox()
    # Its temporary files (a live capture's) go to the sandbox too: /tmp may not be writable to it.
    env = ["HOME=" + os.path.join(root, "home"), "TMPDIR=" + os.path.join(root, "home"),
           "WIRESHARK_PLUGIN_DIR=" + os.path.join(root, "plugins"), "TZ=" + os.environ.get("TZ", "UTC"),
           "LC_ALL=C.UTF-8"]
    prefix = ["env"] + env
    if os.geteuid() == 0:
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + prefix
    return prefix + ["tshark"] + list(args)


def tshark(args, capture=None, prefs=None, two_pass=False, check=True):
    """Runs tshark; returns its standard output. Fails on a non-zero exit or a plugin error."""
    argv = []
    if capture:
        argv += ["-r", _capture_copy(capture)]
    if two_pass:
        argv.append("-2")
    for k, v in (prefs or {}).items():
        argv += ["-o", "keepalive.%s:%s" % (k, v)]
    argv += list(args)
    p = subprocess.run(command(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=workdir())
    if check and p.returncode != 0:
        raise AssertionError("tshark %s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr))
    for bad in ("Dissector bug", "Couldn't load", "keepalive.so"):
        if bad in p.stderr:
            raise AssertionError("tshark reported %r: %s" % (bad, p.stderr))
    if "Dissector bug, protocol Keepalive" in p.stdout:
        raise AssertionError("dissector bug in the plugin: %s" % p.stdout)
    return p.stdout


@contextlib.contextmanager
def extra_args(extra):
    """Every tshark run inside gets the arguments `extra` too (a key log, a Decode As)."""
    global tshark
    plain = tshark

    def with_extra(args, *a, **kw):
        return plain(list(args) + list(extra), *a, **kw)

    tshark = with_extra
    try:
        yield
    finally:
        tshark = plain


def decrypting(keys):
    """tshark runs inside decrypt TLS with the key log `keys` (copied into the sandbox, readable by
    the unprivileged tshark)."""
    return extra_args(["-o", "tls.keylog_file:" + _capture_copy(keys)])


def assert_plugin_loaded():
    out = tshark(["-G", "protocols"])
    if not any(line.split("\t")[2:3] == ["keepalive"] for line in out.splitlines()):
        raise AssertionError("the keepalive plugin did not load")


def fields(capture, names, display_filter=None, prefs=None, two_pass=False, extra=()):
    """One dict per displayed frame: field name -> list of its values (all occurrences)."""
    args = ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    for n in names:
        args += ["-e", n]
    if display_filter:
        args += ["-Y", display_filter]
    args += list(extra)
    out = tshark(args, capture=capture, prefs=prefs, two_pass=two_pass)
    rows = []
    # Lines end at "\n" only: splitlines() also breaks at the control characters a value may hold
    # (Wireshark's expert message of a fuzzed SIP header name, say).
    for line in filter(None, out.split("\n")):
        cols = line.split("\t")
        cols += [""] * (len(names) - len(cols))
        rows.append({n: (c.split("\x1f") if c else []) for n, c in zip(names, cols)})
    return rows


def fields_both_passes(test, capture, names, display_filter=None, prefs=None, extra=()):
    """fields() in a single pass and with -2; asserts both give the same rows, returns them."""
    one = fields(capture, names, display_filter, prefs, extra=extra)
    two = fields(capture, names, display_filter, prefs, two_pass=True, extra=extra)
    test.assertEqual(one, two, "single pass and -2 disagree on %s" % os.path.basename(capture))
    return one


ALL_FIELDS = [
    "frame.number", "keepalive.endpoint", "keepalive.server", "keepalive.role", "keepalive.expires.granted",
    "keepalive.refresh.expected", "keepalive.refresh.deadline", "keepalive.refresh.interval",
    "keepalive.refresh.lateness", "keepalive.refresh.prev", "keepalive.refresh.margin", "keepalive.grace.overrun",
    "keepalive.retrans.count", "keepalive.retrans.original", "keepalive.retrans.gap", "keepalive.loss.consecutive",
    "keepalive.sccp.interval", "keepalive.sccp.gap", "keepalive.sccp.ack_latency", "keepalive.sccp.ack_latency_mean",
    "keepalive.sccp.missed", "keepalive.arp.ip", "keepalive.arp.claimed_mac", "keepalive.arp.owner_mac",
    "keepalive.arp.frame", "keepalive.syslog.reason", "keepalive.syslog.last_seen", "_ws.expert.message",
]


def annotated(test, capture, prefs=None):
    """Every annotated frame with every keepalive field, checked identical in single pass and -2."""
    return fields_both_passes(test, capture, ALL_FIELDS, "keepalive", prefs)


# SPEC §4's experts, and the plugin's own: name -> (group, severity) as PDML shows them.
EXPERTS = {
    "keepalive.retransmission": ("Sequence", "Note"), "keepalive.refresh_late": ("Sequence", "Warning"),
    "keepalive.grace_breach": ("Sequence", "Error"), "keepalive.breach_forecast": ("Sequence", "Warning"),
    "keepalive.loss_pattern": ("Sequence", "Warning"), "keepalive.backup_keepalive": ("Sequence", "Chat"),
    "keepalive.unregister": ("Sequence", "Note"), "keepalive.keepalive_unacked": ("Sequence", "Warning"),
    "keepalive.failover": ("Sequence", "Error"), "keepalive.arp_mismatch": ("Sequence", "Warning"),
    "keepalive.misdirected": ("Sequence", "Warning"), "keepalive.endpoint_unregistered": ("Response", "Error"),
    "keepalive.path_loss": ("Sequence", "Warning"),
    # Not in SPEC §4: a registration's message the snap length cut short, which is not analysed.
    "keepalive.truncated": ("Undecoded", "Warning"),
    # Not in SPEC §4 either: a busy capture point that recorded nothing while refreshes fell due.
    "keepalive.capture_gap": ("Sequence", "Warning"),
    # Nor is the capture's clock stepping, back or forward again.
    "keepalive.clock_step": ("Sequence", "Warning"),
}


def experts(capture, prefs=None, two_pass=False):
    """(frame, expert name, message) of every keepalive expert info, in frame order (from PDML).
    Also asserts that each carries SPEC §4's group and severity."""
    import xml.etree.ElementTree as ET
    out = tshark(["-Y", "keepalive", "-T", "pdml"], capture=capture, prefs=prefs, two_pass=two_pass)
    result = []
    for packet in ET.fromstring(out).iter("packet"):
        number = None
        for field in packet.iter("field"):
            name = field.get("name")
            if name == "frame.number" and number is None:
                number = int(field.get("show"))
            elif name == "_ws.expert":
                # The expert's name, message, severity and group are children of _ws.expert.
                expert = next((f.get("name") for f in field if f.get("name") in EXPERTS), None)
                if expert is None:
                    continue
                name = expert
                sub = {f.get("name"): f.get("showname", "") for f in field}
                msg = next((f.get("show") for f in field if f.get("name") == "_ws.expert.message"), "")
                severity = sub.get("_ws.expert.severity", "").rpartition(": ")[2]
                group = sub.get("_ws.expert.group", "").rpartition(": ")[2]
                if (group, severity) != EXPERTS[name]:
                    raise AssertionError("%s has group/severity %s/%s, SPEC says %s" % (name, group, severity, EXPERTS[name]))
                result.append((number, name, msg))
    return result


def experts_both_passes(test, capture, prefs=None):
    one = experts(capture, prefs)
    two = experts(capture, prefs, two_pass=True)
    test.assertEqual(one, two, "single pass and -2 disagree on expert infos of %s" % os.path.basename(capture))
    return one


def true(value):
    """A boolean field value: "1" in Wireshark 4.0, "True" in 4.4."""
    return value in ("1", "True")


def info_columns(capture, prefs=None, two_pass=False):
    """Frame number -> the Info column as the summary line shows it. (In Wireshark 4.4 `-e _ws.col.Info`
    misses what a post-dissector appends.)"""
    out = tshark(["-o", 'gui.column.format:"No.","%m","Info","%i"'], capture=capture, prefs=prefs, two_pass=two_pass)
    rows = {}
    for line in filter(None, (l.strip() for l in out.splitlines())):
        number, _, info = line.partition(" ")
        rows[int(number)] = info.strip()
    return rows


def seconds(value):
    """A relative-time field value ("8.300000000") as float seconds."""
    return float(value)


_version = None


def wireshark_version():
    """The (major, minor) of the tshark the tests run."""
    global _version
    if _version is None:
        first = tshark(["-v"]).splitlines()[0]  # "TShark (Wireshark) 4.6.9."
        _version = tuple(int(x) for x in re.search(r"(\d+)\.(\d+)\.", first).groups())
    return _version


def main():
    assert_plugin_loaded()
    unittest.main(verbosity=2)
