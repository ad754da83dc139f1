#!/usr/bin/env python3
"""Bad input gives sane output (issue 7): the bad-* scenarios (captures/generator/scenarios).

The values of the analysis belong to the SIP/SCCP/path tests; these assert what must hold on
malformed or unusual captures: tshark succeeds, no "Dissector bug", single pass equals -2 (the
harness helpers check all three), and each case's own sanity property.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.dom.minidom
import zlib
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sip_expect import S, absolute, epoch  # noqa: E402

ALARMS = {name for name, (_, severity) in harness.EXPERTS.items() if severity in ("Warning", "Error")}
# Durations that cannot be negative whatever the clock does (lateness and margin are signed).
UNSIGNED_DURATIONS = ["keepalive.refresh.interval", "keepalive.grace.overrun", "keepalive.retrans.gap",
                      "keepalive.sccp.gap", "keepalive.sccp.ack_latency", "keepalive.sccp.ack_latency_mean"]


def capture(name):
    return os.path.join(harness.GENERATED, name + ".pcap")


ROUTER = bytes.fromhex("001b540a1401")


def ipv4_rewritten(ip, ttl_less=0, zero_id=False):
    """An IPv4 packet with its TTL lowered, or its identification 0, and its checksum set anew."""
    ip = bytearray(ip)
    ihl = (ip[0] & 0x0F) * 4
    ip[8] -= ttl_less
    if zero_id:
        ip[4:6] = b"\x00\x00"
    ip[10:12] = b"\x00\x00"
    ip[10:12] = struct.pack("!H", harness.checksum(bytes(ip[:ihl])))
    return bytes(ip)


# Fields that name a frame by its number.
FRAME_FIELDS = ["keepalive.refresh.prev", "keepalive.retrans.original", "keepalive.arp.frame",
                "keepalive.syslog.last_seen"]


def renumbered(row, frame):
    """A fields() row of findings with the frames its frame-number fields and expert messages name
    mapped by frame(number as text)."""
    for name in FRAME_FIELDS:
        row[name] = [frame(v) for v in row[name]]
    row["_ws.expert.message"] = [re.sub(r"frame (\d+)", lambda m: "frame " + frame(m.group(1)), v)
                                 for v in row["_ws.expert.message"]]
    return row


def ipv6_forwarded(ip):
    """An IPv6 packet as a router forwards it: its hop limit one lower (no header checksum)."""
    return ip[:7] + bytes([ip[7] - 1]) + ip[8:]


def routed(frame, n, zero_id=False):
    """A frame as a SPAN session of both VLANs of a router captures it: on VLAN 10, and an IP
    packet again 60 us later on VLAN 20, from the router's MAC with its TTL or hop limit one
    lower. zero_id: IPv4 sent with identification 0, as some stacks send packets that may not
    be fragmented."""
    tagged = frame[:12] + b"\x81\x00\x00\x0a" + frame[12:]
    copy = frame[:6] + ROUTER + b"\x81\x00\x00\x14" + frame[12:14]
    if frame[12:14] == b"\x86\xdd":
        return [tagged, (60, copy + ipv6_forwarded(frame[14:]))]
    if frame[12:14] != b"\x08\x00":
        return [tagged]
    ip = ipv4_rewritten(frame[14:], zero_id=zero_id)
    return [frame[:12] + b"\x81\x00\x00\x0a" + frame[12:14] + ip, (60, copy + ipv4_rewritten(ip, ttl_less=1))]


TRUNCATED = "Cut short by the capture's snap length: not analysed (capture whole frames, e.g. tcpdump -s 0)"


def registration_messages(cap):
    """{frame: (frame.len, end of the CSeq line or None, phone address)} of a whole capture's REGISTERs and the
    responses whose CSeq names REGISTER, as Wireshark's SIP dissector places them (one message per
    frame): a cut keeps a request's start line, and a response's CSeq when that line's CR is kept."""
    import xml.etree.ElementTree as ET
    out = {}
    for packet in ET.fromstring(harness.tshark(["-Y", "sip", "-T", "pdml"], capture=cap)).iter("packet"):
        f = {}
        for field in packet.iter("field"):
            f.setdefault(field.get("name"), []).append(field)
        if len(f.get("sip.CSeq", [])) != 1:
            continue
        cseq = f["sip.CSeq"][0]
        if not cseq.get("show").endswith(" REGISTER"):
            continue
        request = "sip.Method" in f
        end = int(cseq.get("pos")) + int(cseq.get("size"))  # past its CRLF
        phone = f["ip.src" if request else "ip.dst"][0].get("show")
        out[int(f["frame.number"][0].get("show"))] = (int(f["frame.len"][0].get("show")), None if request else end, phone)
    return out


def read_pcap(path):
    """(header, [(time in us, frame bytes)]) of a classic little-endian pcap."""
    with open(path, "rb") as f:
        data = f.read()
    records, at = [], 24
    while at < len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[at:at + 16])
        records.append((sec * 1000000 + usec, data[at + 16:at + 16 + incl]))
        at += 16 + incl
    return data[:24], records


def with_steady_traffic(src, dst, drop):
    """Writes `src` to `dst` with 20 UDP datagrams a second, from 20 other hosts in turn to a
    server, added from a minute before its first frame to 10 s after its last (traffic a SPAN of a
    busy VLAN carries, which no dissector of ours reads), less every frame for which drop(time in s
    from the first frame, is one of src's) is true. Returns [(time in us, one of src's)] of the
    frames written, in frame order."""
    header, records = read_pcap(src)
    t0 = records[0][0]
    fillers = [harness.busy_vlan_frame(1, h) for h in range(20)]
    merged = [(t, True, frame) for t, frame in records]
    t, n = t0 - 60000000 + 1000, 0  # 1 ms off the scenario's own times
    while t < records[-1][0] + 10000000:
        merged.append((t, False, fillers[n % 20]))
        t += 50000
        n += 1
    merged.sort(key=lambda r: r[0])
    kept = [r for r in merged if not drop((r[0] - t0) / 1e6, r[1])]
    with open(dst, "wb") as f:
        f.write(header)
        for t, _, frame in kept:
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
    return [(t, ours) for t, ours, _ in kept]


class Robustness(unittest.TestCase):
    def assert_no_alarm(self, cap):
        """No warning or error expert info; returns all (frame, expert, message)."""
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([e for e in experts if e[1] in ALARMS], [], os.path.basename(cap))
        return experts

    def test_non_numeric_and_huge_expires(self):
        cap = capture("bad-expires")
        experts = self.assert_no_alarm(cap)
        # "Expires: soon" is not "Expires: 0": phone 1 (10.30.0.11) never de-registers.
        rows = harness.fields_both_passes(self, cap, ["frame.number", "ip.src", "frame.time_epoch",
                                                      "keepalive.refresh.expected", "keepalive.refresh.deadline"],
                                          "keepalive")
        phone1 = {int(r["frame.number"][0]) for r in rows if r["ip.src"] == ["10.30.0.11"]}
        self.assertEqual([e for e in experts if e[1] == "keepalive.unregister" and e[0] in phone1], [])
        # A 2^32 s grant lies ~136 years ahead: no expectation may wrap into the past.
        for r in rows:
            t = epoch(r["frame.time_epoch"][0])
            for name in ("keepalive.refresh.expected", "keepalive.refresh.deadline"):
                for v in r[name]:
                    self.assertGreater(absolute(v), t - 3600 * S, (r["frame.number"], name, v))

    def test_expires_zero_everywhere(self):
        # De-registered bindings expect nothing: no late refresh, no breach, no forecast.
        self.assert_no_alarm(capture("bad-expires-zero"))

    def test_timestamps_out_of_order(self):
        # A response stamped before its request, a 200 s step back, a frame from 1970: whatever
        # the analysis concludes, no duration that cannot be negative comes out negative.
        rows = harness.fields_both_passes(self, capture("bad-timestamps"), ["frame.number"] + UNSIGNED_DURATIONS,
                                          "keepalive")
        self.assertTrue(rows)
        for r in rows:
            for name in UNSIGNED_DURATIONS:
                for v in r[name]:
                    self.assertGreaterEqual(harness.seconds(v), 0, (r["frame.number"], name, v))
        # Transaction 4 stamped 200 s early (frames 9, 10): the clock set back, known at frame 10,
        # where the expectation from frame 8 is forgotten; it is set forward again at frame 11, 315 s
        # after frame 10, past where it stood: the expectation from frame 10's 200 OK is forgotten
        # too, instead of breaching its deadline (frame 10 + 130 s) by 185 s. The 1970 frame (13)
        # is one bad timestamp.
        experts = harness.experts_both_passes(self, capture("bad-timestamps"))
        self.assertEqual([(n, e) for n, e, _ in experts if e in ALARMS],
                         [(10, "keepalive.clock_step"), (11, "keepalive.clock_step")])
        steps = {r["frame.number"][0]: r for r in harness.fields_both_passes(
            self, capture("bad-timestamps"), ["frame.number", "keepalive.capture.clock_step", "keepalive.capture.gap_from",
                                              "keepalive.capture.clock_step_frame", "keepalive.capture.unjudged"],
            "keepalive.clock_step")}
        self.assertEqual(sorted(steps), ["10", "11"])
        # Frame 9 at R_4 - 200 s = T0 + 260.040 s, frame 8 at R_3 + 10 ms = T0 + 345.040 s.
        self.assertAlmostEqual(harness.seconds(steps["10"]["keepalive.capture.clock_step"][0]), -85.0, places=6)
        self.assertEqual([steps["10"][f][0] for f in ("keepalive.capture.gap_from", "keepalive.capture.clock_step_frame",
                                                      "keepalive.capture.unjudged")], ["8", "9", "1"])
        # Frame 11 at R_5 = T0 + 575.050 s, frame 10 at T0 + 260.050 s.
        self.assertAlmostEqual(harness.seconds(steps["11"]["keepalive.capture.clock_step"][0]), 315.0, places=6)
        self.assertEqual([steps["11"][f][0] for f in ("keepalive.capture.gap_from", "keepalive.capture.clock_step_frame",
                                                      "keepalive.capture.unjudged")], ["10", "9", "1"])
        # Frame 14 follows frame 12's 200 OK (R_5 + 10 ms) by 115 s: timed again, on time.
        late = {r["frame.number"][0]: r["keepalive.refresh.lateness"] for r in harness.fields_both_passes(
            self, capture("bad-timestamps"), ["frame.number", "keepalive.refresh.lateness"], "sip.Method == \"REGISTER\"")}
        self.assertEqual(late["11"], [])
        self.assertEqual([harness.seconds(v) for v in late["14"]], [0.0])
        # The 200 OK of transaction 2 (frame 6) is stamped 2 s before its REGISTER (frame 5): a
        # response cannot precede its request, so it is timed at R_2. Its margin is the deadline
        # (transaction 1's 200 OK, R_1 + 10 ms, + 130 s) less R_2 = R_1 + 115.010 s: 15.000 s; and
        # transaction 3's REGISTER (frame 7, R_3 = R_2 + 115.010 s) is 10 ms behind R_2 + 115 s, not
        # 2.010 s late.
        rows = {r["frame.number"][0]: r for r in harness.fields_both_passes(
            self, capture("bad-timestamps"), ["frame.number", "keepalive.refresh.margin", "keepalive.refresh.lateness"],
            "frame.number == 6 || frame.number == 7")}
        self.assertAlmostEqual(harness.seconds(rows["6"]["keepalive.refresh.margin"][0]), 15.0, places=6)
        self.assertAlmostEqual(harness.seconds(rows["7"]["keepalive.refresh.lateness"][0]), 0.010, places=6)

    def test_clock_set_back(self):
        # bad-clock-step: every frame from T0 + 400 s on stamped 60 s early. K_14 (frame 54, T0 +
        # 362.001 s as stamped) is the first stamped back, 30.0012 s before K_13's ACK (frame 53, T0 +
        # 392.0022 s); its KeepAliveAck (frame 55) shows the step. Only the SIP binding's
        # expectation, from R_3's 200 OK, was set before it.
        fields = ["frame.number", "sip.Method", "skinny.messageId", "keepalive.refresh.number",
                  "keepalive.refresh.lateness", "keepalive.sccp.gap", "keepalive.sccp.lateness",
                  "keepalive.sccp.ack_latency"]
        for name, step in (("bad-clock-step-healthy", False), ("bad-clock-step", True)):
            experts = [e for e in harness.experts_both_passes(self, capture(name)) if e[1] != "keepalive.retransmission"]
            if step:
                self.assertEqual(experts, [(55, "keepalive.clock_step",
                                            "The capture's clock stepped back: frame 54 is stamped 30.0 s before frame 53; "
                                            "times on either side do not compare: 1 refresh or keepalive expected then not "
                                            "timed across it")])
                row = harness.fields_both_passes(self, capture(name), [
                    "keepalive.capture.clock_step", "keepalive.capture.gap_from", "keepalive.capture.clock_step_frame",
                    "keepalive.capture.unjudged"], "keepalive.clock_step")
                self.assertEqual(len(row), 1)
                self.assertAlmostEqual(harness.seconds(row[0]["keepalive.capture.clock_step"][0]), -30.0012, places=6)
                self.assertEqual([row[0][f][0] for f in ("keepalive.capture.gap_from", "keepalive.capture.clock_step_frame",
                                                         "keepalive.capture.unjudged")], ["53", "54", "1"])
            else:
                self.assertEqual(experts, [])
            rows = harness.fields_both_passes(self, capture(name), fields + UNSIGNED_DURATIONS, "keepalive")
            for r in rows:
                for f in UNSIGNED_DURATIONS:
                    for v in r[f]:
                        self.assertGreaterEqual(harness.seconds(v), 0, (name, r["frame.number"], f))
            # SIP: R_k = T0 + k * 115.010 s, its 200 OK 10 ms later, 120 s granted: every refresh
            # starts when expected. After the step refresh 5 (R_4) has nothing to be timed against.
            refreshes = [(r["keepalive.refresh.number"][0], r["keepalive.refresh.lateness"]) for r in rows
                         if r["sip.Method"] == ["REGISTER"]]
            self.assertEqual([n for n, _ in refreshes], [str(k) for k in range(1, 9)])
            for n, lateness in refreshes[1:]:
                if step and n == "5":
                    self.assertEqual(lateness, [])
                else:
                    self.assertEqual([harness.seconds(v) for v in lateness], [0.0], (name, n))
            # SCCP: KeepAliveReq j every 30 s, acked 1 ms later. K_14, the first frame stamped back,
            # is read before the step is known: stamped before K_13, its gap is 0 and it is 30 s early.
            keepalives = [r for r in rows if r["skinny.messageId"] == ["0"]]
            self.assertEqual(len(keepalives), 27)
            for j, r in enumerate(keepalives[1:], start=2):
                want = (0.0, -30.0) if step and j == 14 else (30.0, 0.0)
                self.assertEqual((harness.seconds(r["keepalive.sccp.gap"][0]), harness.seconds(r["keepalive.sccp.lateness"][0])),
                                 want, (name, j))
            acks = [r for r in rows if r["skinny.messageId"] == ["256"]]
            self.assertEqual(len(acks), 27)
            for r in acks:
                self.assertAlmostEqual(harness.seconds(r["keepalive.sccp.ack_latency"][0]), 0.001, places=6)

    def test_routed_copies_change_no_finding(self):
        # Every IPv4 packet captured twice, 60 us apart (a SPAN of both VLANs of a router): the
        # SIP and SCCP expert infos are those of the capture without copies, retransmissions (TCP
        # and Timer E), a proxy's burst, breaches and failovers included; frame numbers aside.
        def findings(cap):
            return sorted(re.sub(r"frame \d+", "frame N", m) for _, n, m in harness.experts_both_passes(self, cap)
                          if n not in ("keepalive.arp_mismatch", "keepalive.misdirected"))
        # With identification 0 in every IPv4 packet (no IP packet to tell a copy by, as over
        # IPv6), the fast retransmission's copy is told by the duplicate ACKs that came before it.
        with tempfile.TemporaryDirectory() as d:
            for name in ("sip-udp-timer-e", "sip-tcp-case-study-b", "sip-tcp-proxy-burst", "sip-tcp-proxy-fast-retransmit",
                         "sip-tcp-challenged-backoff", "skinny-keepalive-retransmission", "skinny-primary-stops-acking"):
                original = findings(capture(name))
                self.assertTrue(original, name)
                for zero_id in (False, True):
                    copied = os.path.join(d, "%s-routed-%d.pcap" % (name, zero_id))
                    harness.rewrite_capture(capture(name), copied, lambda f, n: routed(f, n, zero_id))
                    self.assertEqual(findings(copied), original, (name, zero_id))

    def test_routed_ipv6_copies_change_no_finding(self):
        # IPv6 has no identification to tell a copy by. A lone segment's copy is the latest
        # segment again; a REGISTER in two segments whose copies a router forwards 1 ms later,
        # after the second segment and later than the handshake's 350 us RTT, has the first
        # segment's copy told by its first sighting, which no ACK from the registrar followed.
        with tempfile.TemporaryDirectory() as d:
            raw_ip = os.path.join(d, "raw-ip-us.pcap")  # microsecond pcap, as rewrite_capture reads
            subprocess.run(["editcap", "-F", "pcap", capture("lib-rawip-sip-tcp6"), raw_ip], check=True)
            later = os.path.join(d, "raw-ip-routed.pcap")
            harness.rewrite_capture(raw_ip, later, lambda f, n: [f, (1000, ipv6_forwarded(f))] if f[0] >> 4 == 6 else f,
                                    linktype=101)
            spanned = os.path.join(d, "ipv6-routed.pcap")
            harness.rewrite_capture(capture("bad-ipv6"), spanned, routed)
            for original, copied in ((raw_ip, later), (capture("bad-ipv6"), spanned)):
                want = harness.experts_both_passes(self, original)
                got = harness.experts_both_passes(self, copied)
                self.assertEqual([m for _, _, m in got], [m for _, _, m in want], copied)
                # The copies doubled the IPv6 frames.
                rows = harness.fields_both_passes(self, copied, ["frame.number"], "ipv6")
                self.assertEqual(len(rows), 2 * len(harness.fields_both_passes(self, original, ["frame.number"], "ipv6")))

    def test_duplicated_frames(self):
        # An identical copy at the same instant is not a lost first transmission, nor a late one,
        # nor sent again: none of the SIP and SCCP copies is a retransmission.
        cap = capture("bad-duplicates")
        self.assert_no_alarm(cap)
        self.assertEqual([], harness.fields_both_passes(self, cap, ["frame.number"], "keepalive.retransmission"))

    def test_sccp_cut_by_snap_length(self):
        # tcpdump -s 84 (30 bytes of TCP payload): the RegisterReq and the RegisterAck are cut
        # short, but the device name and both intervals lie within what was captured, so the
        # analysis is that of the whole capture.
        full = capture("skinny-primary-backup-healthy")
        names = ["frame.number", "keepalive.endpoint", "keepalive.server", "keepalive.role", "keepalive.sccp.interval",
                 "keepalive.sccp.gap", "keepalive.sccp.ack_latency", "keepalive.sccp.missed", "_ws.expert.message"]
        with tempfile.TemporaryDirectory() as d:
            cut = os.path.join(d, "cut.pcap")
            subprocess.run(["editcap", "-s", "84", full, cut], check=True)
            self.assertEqual(harness.fields_both_passes(self, cut, names, "keepalive"),
                             harness.fields_both_passes(self, full, names, "keepalive"))

    def test_truncated_frames(self):
        cap = capture("bad-snaplen")
        # Each REGISTER (the scenario's six, 115.010 s apart: frames 1, 14, 24, 34, 44, 54) says it
        # was cut short and not analysed; its 200 OK, cut before its CSeq, says nothing. Nothing else
        # about SIP is concluded.
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([e for e in experts if e[1] in ALARMS],
                         [(n, "keepalive.truncated", TRUNCATED) for n in (1, 14, 24, 34, 44, 54)])
        rows = harness.fields_both_passes(self, cap, ["frame.number", "keepalive.endpoint", "keepalive.server"],
                                          "keepalive.truncated")
        self.assertEqual({(r["keepalive.endpoint"][0], r["keepalive.server"][0]) for r in rows},
                         {("10.34.0.11", "10.34.0.1:5060/udp")})
        # The whole SCCP frames next to the truncated SIP ones are still analysed: each of the 20
        # keepalives (frames of 10.34.0.13 carrying SKINNY KeepAliveReq) is annotated.
        rows = harness.fields_both_passes(self, cap, ["frame.number", "keepalive.endpoint"],
                                          "skinny.messageId == 0x0000")
        self.assertEqual(len(rows), 20)
        for r in rows:
            self.assertEqual(r["keepalive.endpoint"], ["SEP001E4A340013"], r["frame.number"])

    def test_healthy_registrations_cut_by_snap_length(self):
        # The healthy twins cut as a capture with a small snap length keeps them: every REGISTER
        # and every response known to answer one (its CSeq line kept up to its CR) is reported cut
        # short, by the phone's address; nothing else is said about them.
        for name, snaplens in (("sip-udp-healthy", (128, 300, 330)), ("sip-tcp-healthy", (128, 300, 330))):
            messages = registration_messages(capture(name))
            self.assertEqual(len(messages), 32, name)
            self.assertTrue(all(length > 330 for length, _, _ in messages.values()), name)
            for snaplen in snaplens:
                expected = sorted(n for n, (_, end, _) in messages.items() if end is None or end - 1 <= snaplen)
                with self.subTest(capture=name, snaplen=snaplen), tempfile.TemporaryDirectory() as d:
                    cut = os.path.join(d, "cut.pcap")
                    subprocess.run(["editcap", "-s", str(snaplen), capture(name), cut], check=True)
                    experts = harness.experts_both_passes(self, cut)
                    self.assertEqual([e for e in experts if e[1] in ALARMS],
                                     [(n, "keepalive.truncated", TRUNCATED) for n in expected])
                    self.assertEqual({e[1] for e in experts}, {"keepalive.truncated"})
                    rows = harness.fields_both_passes(self, cut, ["keepalive.endpoint"], "keepalive")
                    self.assertEqual({r["keepalive.endpoint"][0] for r in rows}, {m[2] for m in messages.values()})
                    # The 16 REGISTERs at every cut; no response at 128 bytes (Via, From, To and
                    # Call-ID come before the CSeq), all 16 at 330 (every CSeq line ends by 326).
                    self.assertEqual(len([n for n in expected if messages[n][1] is None]), 16)
                    if snaplen in (128, 330):
                        self.assertEqual(len(expected), 16 if snaplen == 128 else 32)

    def assert_one_gap(self, d, name, start, end):
        """`name` on a busy VLAN (with_steady_traffic): silent as it is; with [start, end) s after
        its first frame cut out of the whole capture, exactly one warning or error, capture_gap,
        on the first frame after the cut. Returns that capture, its frames and the first frame's
        index."""
        twin = os.path.join(d, "twin.pcap")
        with_steady_traffic(name, twin, lambda t, ours: False)
        self.assert_no_alarm(twin)
        gap = os.path.join(d, "gap.pcap")
        frames = with_steady_traffic(name, gap, lambda t, ours: start <= t < end)
        t0 = next(t for t, o in frames if o)
        first_after = next(i for i, (t, _) in enumerate(frames) if t >= t0 + end * 1000000)
        experts = harness.experts_both_passes(self, gap)
        self.assertEqual([(n, e) for n, e, _ in experts if e in ALARMS], [(first_after + 1, "keepalive.capture_gap")])
        return gap, frames, first_after

    def assert_lost_to_the_phone(self, d, name, start, end, past_us, expert):
        """The same stretch cut from `name`'s own frames only, the VLAN still recorded: `expert` on
        the first frame more than `past_us` after its first frame, and no capture_gap."""
        lost = os.path.join(d, "lost.pcap")
        frames = with_steady_traffic(name, lost, lambda t, ours: ours and start <= t < end)
        t0 = next(t for t, o in frames if o)
        past = next(i for i, (t, _) in enumerate(frames) if t > t0 + past_us)
        experts = harness.experts_both_passes(self, lost)
        self.assertIn((past + 1, expert), [(n, e) for n, e, _ in experts])
        self.assertNotIn("keepalive.capture_gap", [e for _, e, _ in experts])

    def test_capture_gap(self):
        # sip-udp-healthy (phone 10.20.30.40, 200 OKs granting 120 s, refresh_delta 5 s, grace
        # 15 s) on a busy VLAN. Refresh 5 (frames 9 and 10 of the scenario, at +460.053 s) falls
        # due then (frame 8's 200 OK, at +345.052593 s, + 115 s), its deadline at +475.052593 s.
        name = capture("sip-udp-healthy")
        with tempfile.TemporaryDirectory() as d:
            # The capture recorded nothing from +425 s to +490 s: one gap, said on the first frame
            # after it, and refresh 5, due in it, is not judged. Refresh 6 follows an unknown grant.
            gap, frames, first_after = self.assert_one_gap(d, name, 425, 490)
            rows = harness.fields_both_passes(self, gap, ["frame.number", "keepalive.capture.gap",
                                                          "keepalive.capture.gap_from", "keepalive.capture.unjudged"],
                                              "keepalive.capture_gap")
            self.assertEqual(rows[0]["keepalive.capture.gap_from"], [str(first_after)])
            self.assertEqual(rows[0]["keepalive.capture.unjudged"], ["1"])
            self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.capture.gap"][0]),
                                   (frames[first_after][0] - frames[first_after - 1][0]) / 1e6, places=6)
            ours = [i + 1 for i, (_, o) in enumerate(frames) if o]
            self.assertEqual(len(ours), 30)
            refresh6 = harness.fields_both_passes(self, gap, ["keepalive.refresh.number", "keepalive.event",
                                                              "keepalive.refresh.lateness"], "frame.number == %d" % ours[8])
            self.assertEqual(refresh6[0]["keepalive.refresh.number"], ["5"])  # the fifth seen
            self.assertEqual(refresh6[0]["keepalive.event"], ["9"])
            self.assertEqual(refresh6[0]["keepalive.refresh.lateness"], [])

            # The capture went on recording, the phone's refresh 5 did not reach it: lost in the
            # network, a breach on the first frame past the deadline (a datagram of the busy VLAN).
            self.assert_lost_to_the_phone(d, name, 425, 490, 475052593, "keepalive.grace_breach")

            # A capture of the phone alone that lacks the same frames cannot tell: the breach
            # stands, on refresh 6, the next frame (9 once 9 and 10 are gone).
            quiet = os.path.join(d, "quiet.pcap")
            header, records = read_pcap(name)
            with open(quiet, "wb") as f:
                f.write(header)
                for t, frame in records:
                    if not 425 <= (t - records[0][0]) / 1e6 < 490:
                        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
            experts = harness.experts_both_passes(self, quiet)
            self.assertIn((9, "keepalive.grace_breach"), [(n, e) for n, e, _ in experts])
            self.assertNotIn("keepalive.capture_gap", [e for _, e, _ in experts])

    def test_clock_step_said_once_something_was_annotated(self):
        # A datagram of a busy VLAN 1 s after the last frame, then two stamped 100 s before it, 1 s
        # apart: the capture's clock set back, known at the second of them.
        header, records = read_pcap(capture("bad-expires-zero"))
        last = records[-1][0]
        step = [(t, harness.busy_vlan_frame(1, 1)) for t in (last + 1000000, last - 99000000, last - 98000000)]

        def write(dst, frames):
            with open(dst, "wb") as f:
                f.write(header)
                for t, frame in frames:
                    f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
        with tempfile.TemporaryDirectory() as d:
            # After bad-expires-zero (24 frames), whose phones all de-registered: nothing fell due,
            # but times annotated before it do not compare with those after: said, on frame 27.
            after = os.path.join(d, "after.pcap")
            write(after, records + step)
            n = len(records) + len(step)
            experts = harness.experts_both_passes(self, after)
            self.assertEqual([(f, e) for f, e, _ in experts if e in ALARMS], [(n, "keepalive.clock_step")])
            rows = harness.fields_both_passes(self, after, ["keepalive.capture.clock_step", "keepalive.capture.unjudged"],
                                              "keepalive.clock_step")
            self.assertEqual(rows[0]["keepalive.capture.unjudged"], ["0"])
            self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.capture.clock_step"][0]), -100.0, places=6)
            # The same three frames alone, a capture with nothing of ours: nothing to say.
            alone = os.path.join(d, "alone.pcap")
            write(alone, step)
            self.assertEqual(harness.fields_both_passes(self, alone, ["frame.number"], "keepalive"), [])

    def test_capture_gap_sccp(self):
        # skinny-primary-backup-healthy (primary keepalives at T0 + 0.001 + 30k s, k = 1..20, each
        # acknowledged; threshold 3) on a busy VLAN, with T0 + 100 s to T0 + 200 s cut: keepalives
        # 4-6 and their acks.
        name = capture("skinny-primary-backup-healthy")
        with tempfile.TemporaryDirectory() as d:
            # Cut out of the whole capture: one gap; the primary's keepalive due in it is not judged.
            gap, _, _ = self.assert_one_gap(d, name, 100, 200)
            rows = harness.fields_both_passes(self, gap, ["keepalive.capture.unjudged"], "keepalive.capture_gap")
            self.assertEqual(rows[0]["keepalive.capture.unjudged"], ["1"])

            # Cut out of the phone's connections only, the VLAN still recorded: silent for three
            # intervals after keepalive 3 (T0 + 90.001 s), the call manager's KeepAliveTimeout, a
            # failover on the first frame past T0 + 180.001 s.
            self.assert_lost_to_the_phone(d, name, 100, 200, 180001000, "keepalive.failover")

            # Cut out of the whole capture, and the phone not seen again after it, the VLAN still
            # recorded (another day's capture, or another place's, appended): the KeepAliveTimeout of
            # a phone silent from keepalive 3 on (T0 + 180.001 s) fell in the silence, so whether the
            # call manager dropped it is unknown. The gap, nothing else, over the 410 s after it.
            gone = os.path.join(d, "gone.pcap")
            with_steady_traffic(name, gone, lambda t, ours: 100 <= t < 200 or (ours and t >= 100))
            experts = harness.experts_both_passes(self, gone)
            self.assertEqual([e for _, e, _ in experts if e in ALARMS], ["keepalive.capture_gap"])

            # A silence that ends before then (at T0 + 150 s): the silence clock starts again at its
            # end, and the phone, not seen again, fails over three intervals (90 s) after it.
            short = os.path.join(d, "short.pcap")
            frames = with_steady_traffic(name, short, lambda t, ours: 100 <= t < 150 or (ours and t >= 100))
            t0 = next(t for t, o in frames if o)
            resume = next(i for i, (t, _) in enumerate(frames) if t >= t0 + 150 * 1000000)
            past = next(i for i, (t, _) in enumerate(frames) if t > frames[resume][0] + 90 * 1000000)
            experts = harness.experts_both_passes(self, short)
            self.assertEqual([(n, e) for n, e, _ in experts if e in ALARMS],
                             [(resume + 1, "keepalive.capture_gap"), (past + 1, "keepalive.failover")])

    def test_tcp_sequence_wrap(self):
        cap = capture("bad-tcp-wrap")
        self.assert_no_alarm(cap)
        # The lost REGISTER spans the 2^32 wrap; its TCP retransmission is the REGISTER's first
        # retransmission and points at the first transmission (the previous REGISTER frame).
        sip = harness.fields_both_passes(self, cap, ["frame.number", "tcp.seq_raw", "tcp.len",
                                                     "tcp.analysis.retransmission", "keepalive.retrans.count",
                                                     "keepalive.retrans.original"], "tcp.port == 5060 && tcp.len > 0")
        retrans = [r for r in sip if r["tcp.analysis.retransmission"]]
        self.assertEqual(len(retrans), 1)
        r = retrans[0]
        self.assertGreater(int(r["tcp.seq_raw"][0]) + int(r["tcp.len"][0]), 2**32)
        first = [x for x in sip if x["tcp.seq_raw"] == r["tcp.seq_raw"] and not x["tcp.analysis.retransmission"]]
        self.assertEqual(len(first), 1)
        self.assertEqual(r["keepalive.retrans.count"], ["1"])
        self.assertEqual(r["keepalive.retrans.original"], first[0]["frame.number"])

    def test_phone_changing_ip(self):
        cap = capture("bad-phone-ip-change")
        self.assert_no_alarm(cap)
        # The phones without +sip.instance keep their bindings from their new addresses: 4072 keeps
        # its Call-ID; 4073 restarts there (a new Call-ID, refresh 5 with event 7), and its MAC
        # announced the address by gratuitous ARP. Their REGISTERs are refreshes 1-8, each
        # 115.010 s after the previous one, as its 200 OK 10 ms later + 120 s - 5 s expects:
        # lateness 0.
        for user, before, after, events in (("4072", "10.36.0.15", "10.36.0.97", [[]] * 8),
                                            ("4073", "10.36.0.17", "10.36.0.96", [[]] * 4 + [["7"]] + [[]] * 3)):
            rows = harness.fields_both_passes(self, cap, ["ip.src", "keepalive.refresh.number", "keepalive.event",
                                                          "keepalive.refresh.lateness"],
                                              'sip.Method == "REGISTER" && sip.to.user == "%s"' % user)
            self.assertEqual([r["ip.src"][0] for r in rows], [before] * 4 + [after] * 4, user)
            self.assertEqual([r["keepalive.refresh.number"] for r in rows], [[str(k)] for k in range(1, 9)], user)
            self.assertEqual([r["keepalive.event"] for r in rows], events, user)
            self.assertEqual([harness.seconds(r["keepalive.refresh.lateness"][0]) for r in rows[1:]], [0.0] * 7, user)

    def test_callid_flood_memory(self):
        # 100,000 distinct Call-IDs from one address: tshark's peak RSS with the plugin stays
        # within 25% of tshark's own (the engine's state bound is in tests/unit/test_robustness).
        cap = capture("bad-callid-flood")
        args = ["-n", "-r", harness._capture_copy(cap), "-T", "fields", "-e", "frame.number", "-e", "sip.Call-ID"]
        empty = tempfile.mkdtemp(prefix="ka-noplugin-")
        os.chmod(empty, 0o755)
        with_plugin = harness.command(args)
        without = [("WIRESHARK_PLUGIN_DIR=" + empty) if a.startswith("WIRESHARK_PLUGIN_DIR=") else a for a in with_plugin]
        rss = {}
        for label, cmd in (("without", without), ("with", with_plugin)):
            p = subprocess.run(["/usr/bin/time", "-f", "KA_MAXRSS %M"] + cmd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("Dissector bug", p.stderr)
            rss[label] = int(re.search(r"KA_MAXRSS (\d+)", p.stderr).group(1))
        os.rmdir(empty)
        self.assertLess(rss["with"], rss["without"] * 1.25, rss)
        # Unanswered REGISTERs set no expectation: nothing to be late for.
        self.assertEqual(harness.fields_both_passes(self, cap, ["frame.number"], " || ".join(sorted(ALARMS))), [])

    def no_ethernet(self, name, server):
        cap = capture(name)
        self.assert_no_alarm(cap)
        rows = harness.fields_both_passes(self, cap, ["frame.number", "keepalive.endpoint", "keepalive.server",
                                                      "keepalive.arp.ip", "keepalive.arp.frame"], "keepalive")
        # Every REGISTER, 200 OK and SCCP keepalive pair of the healthy trio is analysed.
        endpoints = {e for r in rows for e in r["keepalive.endpoint"]}
        self.assertEqual(endpoints, {"SEP0024143800AA", "SEP0024143800BB", "SEP001E4A3800CC"})
        servers = {s for r in rows for s in r["keepalive.server"]}
        self.assertEqual(servers, {server + ":5060/udp", server + ":5060/tcp", server + ":2000/tcp"})
        self.assertEqual([r for r in rows if r["keepalive.arp.ip"] or r["keepalive.arp.frame"]], [])

    def test_raw_ip(self):
        self.no_ethernet("bad-rawip", "10.38.0.1")

    def test_linux_cooked(self):
        self.no_ethernet("bad-sll", "10.38.0.1")

    def test_ipv6(self):
        self.no_ethernet("bad-ipv6", "[2001:db8:38::1]")

    def test_names_that_are_not_utf8(self):
        """A device name whose bytes are not UTF-8 is shown with U+FFFD for each bad byte, as
        Wireshark's labels show it, in every field and export: one such name once made every
        JSON, EK and PDML export of the capture unreadable."""
        data = open(capture("sip-udp-healthy"), "rb").read()
        self.assertIn(b"SEP0024142DDF24", data)
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            cap = os.path.join(d, "not-utf8.pcap")
            with open(cap, "wb") as out:
                out.write(data.replace(b"SEP0024142DDF24", b"SEP0024\xff\xfe42DDF\xc3"))
            os.chmod(cap, 0o644)
            rows = harness.fields_both_passes(self, cap, ["keepalive.endpoint"], "keepalive")
            self.assertTrue(rows)
            self.assertEqual({v for r in rows for v in r["keepalive.endpoint"]}, {"SEP0024\ufffd\ufffd42DDF\ufffd"})
            for two_pass in (False, True):
                json.loads(harness.tshark(["-Y", "keepalive", "-T", "json"], capture=cap, two_pass=two_pass))
                for line in harness.tshark(["-Y", "keepalive", "-T", "ek"], capture=cap, two_pass=two_pass).splitlines():
                    json.loads(line)
                pdml = harness.tshark(["-Y", "keepalive", "-T", "pdml"], capture=cap, two_pass=two_pass)
                self.assertIn("SEP0024\ufffd\ufffd42DDF\ufffd", xml.dom.minidom.parseString(pdml.encode()).toxml())

    # Captures with every kind of finding: late refreshes, a TCP back-off forecast, SCCP failover and
    # syslog, proxy ARP, two capture points.
    VARIED = ["sip-udp-refresh-timing.pcap", "sip-tcp-challenged-backoff.pcap", "skinny-failover-syslog.pcap",
              "path-case-study-a.pcap", "path-two-points.pcapng"]
    ABSOLUTE = ["keepalive.refresh.expected", "keepalive.refresh.deadline", "keepalive.forecast.time"]

    def findings(self, cap, extra=()):
        """Every field of every annotated frame, absolute times as ns."""
        rows = harness.fields_both_passes(self, cap, harness.ALL_FIELDS + ["keepalive.forecast.time"], "keepalive",
                                          extra=extra)
        for r in rows:
            for name in self.ABSOLUTE:
                r[name] = [absolute(v) for v in r[name]]
        return rows

    def test_a_later_clock_changes_no_finding(self):
        """The same capture stamped 36,525 days (about 100 years) later, in 2123, past what 32-bit
        seconds hold: every finding the same, absolute times as much later, and the messages' times
        of day (UTC) unchanged."""
        shift = 36525 * 86400
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            for name in self.VARIED:
                cap, later = os.path.join(harness.GENERATED, name), os.path.join(d, name + ".pcapng")
                subprocess.run(["editcap", "-F", "pcapng", "-t", str(shift), cap, later], check=True)
                os.chmod(later, 0o644)
                expected = self.findings(cap)
                self.assertTrue(any(r["_ws.expert.message"] for r in expected), name)
                for r in expected:
                    for field in self.ABSOLUTE:
                        r[field] = [t + shift * S for t in r[field]]
                self.assertEqual(self.findings(later), expected, name)

    def test_a_clock_past_2262_says_nothing(self):
        """Frame times are nanoseconds in 64 bits, which end in 2262: a capture stamped later (a
        corrupt or mis-scaled timestamp) is read as stamped at that end, one instant, and says
        nothing. Its times once overflowed (undefined behaviour) into another century, and the
        analysis ran on them."""
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            cap = os.path.join(d, "far.pcapng")
            subprocess.run(["editcap", "-F", "pcapng", "-t", str(1000 * 365 * 86400),
                            capture("sip-udp-refresh-timing"), cap], check=True)
            os.chmod(cap, 0o644)
            self.assertEqual(self.assert_no_alarm(cap), [])

    def test_a_capture_cut_short_keeps_earlier_findings(self):
        """A frame's findings come from it and the frames before it, in -2 as in a single pass: the
        same capture cut after a third and after two thirds of its frames gives each earlier frame
        the same findings."""
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            for name in self.VARIED:
                cap = os.path.join(harness.GENERATED, name)
                whole = {r["frame.number"][0]: r for r in self.findings(cap)}
                count = len(harness.fields(cap, ["frame.number"]))
                for cut in (count // 3, 2 * count // 3):
                    part = os.path.join(d, "%s-%d.pcapng" % (name, cut))
                    subprocess.run(["editcap", "-F", "pcapng", "-r", cap, part, "1-%d" % cut], check=True)
                    os.chmod(part, 0o644)
                    earlier = {n: r for n, r in whole.items() if int(n) < cut}
                    self.assertTrue(earlier, (name, cut))
                    got = {r["frame.number"][0]: r for r in self.findings(part) if int(r["frame.number"][0]) < cut}
                    self.assertEqual(got, earlier, (name, cut))

    def assert_rewritten_alike(self, variants):
        """Each classic pcap of VARIED rewritten by each (label, wrap, tshark arguments) of
        `variants` (harness.rewrite_capture()) gives the findings of the original."""
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            for name in self.VARIED:
                if not name.endswith(".pcap"):
                    continue
                cap = os.path.join(harness.GENERATED, name)
                expected = self.findings(cap)
                for label, wrap, extra in variants:
                    out = os.path.join(d, "%s-%s.pcap" % (name, label))  # copies are kept by path
                    harness.rewrite_capture(cap, out, wrap)
                    os.chmod(out, 0o644)
                    self.assertEqual(self.findings(out, extra), expected, (name, label))

    def test_vlan_tags_change_no_finding(self):
        """The same frames tagged 802.1Q, and 802.1ad over 802.1Q (QinQ): every finding the same."""
        def tagged(tpids):
            tags = b"".join(struct.pack(">HH", tpid, 100 + i) for i, tpid in enumerate(tpids))
            return lambda frame, _: frame[:12] + tags + frame[12:]
        self.assert_rewritten_alike([("%d-tags" % len(tpids), tagged(tpids), [])
                                     for tpids in ([0x8100], [0x88A8, 0x8100])])

    def test_ethernet_fcs_and_padding_change_no_finding(self):
        """The same frames with their Ethernet FCS captured (a tap or a capture card that keeps it,
        Wireshark told so), and with every frame under 60 bytes padded to 60 as the wire carries it:
        every finding the same. Lengths come from the IP header, not from the frame."""
        def fcs(frame, _):
            return frame + struct.pack("<I", zlib.crc32(frame))

        def padded(frame, _):
            return frame + bytes(max(0, 60 - len(frame)))
        self.assert_rewritten_alike([("fcs", fcs, ["-o", "eth.fcs:Always"]), ("padded", padded, [])])

    def test_merged_captures_change_no_finding(self):
        """Two captures of other hosts merged into one (the second moved onto the first's time, 0.1 s
        and a bit apart): each frame's findings as in its own capture, frame numbers as the merge
        renumbers them. The second ends 60 s after the first, before the first's last grant runs out
        (130 s): SPEC 3.1 reports a deadline on the first frame past it, whichever capture that
        frame came from."""
        a, b = capture("sip-udp-refresh-timing"), capture("skinny-primary-backup-healthy")

        def times(cap):
            return {r["frame.number"][0]: r["frame.time_epoch"][0]
                    for r in harness.fields(cap, ["frame.number", "frame.time_epoch"])}

        def by_time(cap, t, number):
            """Findings keyed by frame time (`t`: the capture's times by frame number), frames named by
            the merged capture's numbers."""
            return {t[r.pop("frame.number")[0]]: renumbered(r, lambda v: number[t[v]]) for r in self.findings(cap)}

        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            moved, shifted, merged = (os.path.join(d, n) for n in ("moved.pcapng", "b.pcapng", "merged.pcapng"))
            ta = times(a)
            shift = Decimal(min(ta.values())) - Decimal(min(times(b).values())) + Decimal("0.123457")
            subprocess.run(["editcap", "-F", "pcapng", "-t", str(shift), b, moved], check=True)
            os.chmod(moved, 0o644)
            end = max(Decimal(t) for t in ta.values()) + 60
            keep = max(int(n) for n, t in times(moved).items() if Decimal(t) <= end)
            subprocess.run(["editcap", "-r", moved, shifted, "1-%d" % keep], check=True)
            subprocess.run(["mergecap", "-F", "pcapng", "-w", merged, a, shifted], check=True)
            for f in (shifted, merged):
                os.chmod(f, 0o644)
            tb, tm = times(shifted), times(merged)
            number = {t: n for n, t in tm.items()}
            self.assertEqual(len(number), len(ta) + len(tb))  # no two frames at one time
            alone = by_time(a, ta, number)
            self.assertTrue(any(r["_ws.expert.message"] for r in alone.values()))
            alone.update(by_time(shifted, tb, number))
            self.assertEqual(by_time(merged, tm, number), alone)

    def test_tcp_segments_split_change_no_finding(self):
        """The same TCP streams sent in more segments at the same instant: every segment of more than
        12 bytes split in two, the first part at least 12 bytes (a SKINNY header whole, as Wireshark
        needs it), and healthy SIP ones in 12-byte pieces (a first segment shorter than the start
        line). Each frame's findings are those of the segment it came from: a REGISTER resent in two
        segments is one retransmission, and its idle time is that before its first segment. The
        healthy captures stay silent."""
        def split(frame, piece=None):
            at = 14
            while frame[at - 2:at] in (b"\x81\x00", b"\x88\xa8"):  # VLAN tags
                at += 4
            if frame[at - 2:at] != b"\x08\x00" or frame[at + 9] != 6:
                return frame
            ihl = (frame[at] & 0x0F) * 4
            end = at + struct.unpack("!H", frame[at + 2:at + 4])[0]
            tcp = at + ihl
            thl = (frame[tcp + 12] >> 4) * 4
            payload = frame[tcp + thl:end]
            if len(payload) <= 12:
                return frame
            starts = list(range(0, len(payload), piece)) if piece else [0, max(12, len(payload) // 2)]
            pieces = []
            for i, first in enumerate(starts):
                data = payload[first:starts[i + 1] if i + 1 < len(starts) else len(payload)]
                ip = bytearray(frame[at:tcp])
                ip[2:4] = struct.pack("!H", ihl + thl + len(data))
                ip[4:6] = struct.pack("!H", (struct.unpack("!H", ip[4:6])[0] + 0x4000 * i) & 0xFFFF)
                ip = ipv4_rewritten(ip)
                seg = bytearray(frame[tcp:tcp + thl])
                seg[4:8] = struct.pack("!I", (struct.unpack("!I", seg[4:8])[0] + first) & 0xFFFFFFFF)
                if i + 1 < len(starts):
                    seg[13] &= ~0x09  # FIN and PSH on the last part only
                seg[16:18] = b"\x00\x00"
                pseudo = bytes(ip[12:20]) + struct.pack("!BBH", 0, 6, thl + len(data))
                summed = pseudo + bytes(seg) + data
                seg[16:18] = struct.pack("!H", harness.checksum(summed + b"\x00" * (len(summed) % 2)))
                pieces.append(frame[:at] + bytes(ip) + bytes(seg) + data + frame[end:])
            return pieces

        def per_frame(cap, original):
            """Findings by the frame of the original capture they belong to (original(number as
            text)), each field's values as a set: those of a frame's parts together."""
            out = {}
            for r in self.findings(cap):
                merged = out.setdefault(original(r.pop("frame.number")[0]), {})
                for name, values in renumbered(r, original).items():
                    merged.setdefault(name, set()).update(values)
            return out

        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            for name, piece in (("sip-tcp-case-study-b", None), ("sip-tcp-challenged-backoff", None),
                                ("sip-tcp-challenged-healthy", None), ("sip-tcp-proxy-burst", None),
                                ("skinny-primary-stops-acking", None), ("skinny-failover-syslog", None),
                                ("sip-tcp-challenged-healthy", 12), ("sip-tcp-healthy", 12)):
                cap, out = capture(name), os.path.join(d, "%s-split-%s.pcap" % (name, piece))
                original = {}  # the split capture's frame numbers -> the original's (in time order, kept)

                def numbered(frame, i):
                    pieces = split(frame, piece)
                    for _ in pieces if isinstance(pieces, list) else [pieces]:
                        original[str(len(original) + 1)] = str(i + 1)
                    return pieces
                harness.rewrite_capture(cap, out, numbered)
                os.chmod(out, 0o644)
                self.assertGreater(len(original), int(original[str(len(original))]), name)  # some were split
                expected = per_frame(cap, lambda v: v)
                self.assertEqual(per_frame(out, original.__getitem__), expected, name)
                if "healthy" in name:
                    self.assert_no_alarm(out)

    def test_nothing_relevant(self):
        cap = capture("bad-irrelevant")
        self.assertEqual(harness.fields_both_passes(self, cap, ["frame.number"], "keepalive"), [])
        self.assertEqual(harness.experts_both_passes(self, cap), [])
        tree = harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap)
        self.assertNotIn("SEP", tree)


if __name__ == "__main__":
    harness.main()
