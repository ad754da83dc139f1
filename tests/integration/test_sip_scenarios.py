#!/usr/bin/env python3
"""SIP scenarios of issue 3 besides case study B: healthy twins (TCP and UDP, and UDP with the
phone on a call or with a SIP scanner at work), Timer E resends and an unanswered refresh (both
also in IPv4 fragments), backup keepalives and a real de-registration, early and late refreshes, a restart with a new Call-ID, a
REGISTER with two Contacts, a capture on a proxy, 423 Interval Too Brief, keep-alive pings
between UDP refreshes, a slow proxy's 100 Trying after resends. Every value comes from the scenario's parameters."""
# SPDX-License-Identifier: GPL-2.0-or-later
import atexit
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_stats import parse_tree  # noqa: E402
from sip_expect import MS, S, US, absolute, by_frame, forecast, group_lines, rel, utc  # noqa: E402


def capture(name):
    return os.path.join(harness.GENERATED, name + ".pcap")


def numbered(events):
    """Events (time, label) in the order the scenario adds them -> {label: frame number}, as the
    generator writes frames: sorted by time, ties in insertion order."""
    order = sorted(range(len(events)), key=lambda i: (events[i][0], i))
    return {events[i][1]: n + 1 for n, i in enumerate(order)}


class Rng:
    """The generator's SplitMix64 (captures/generator/rng.h), to know the jitter it drew."""
    M = 2**64

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) % self.M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % self.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % self.M
        return z ^ (z >> 31)

    def below(self, n):
        limit = (self.M - 1) - ((self.M - 1) % n)
        while True:
            v = self.next()
            if v < limit:
                return v % n

    def duration(self, lo, hi, step=US):
        return lo + self.below((hi - lo) // step + 1) * step


UDP_HEALTHY_T0 = utc("2023-05-10 09:00:00")


def udp_healthy_times():
    """sip-udp-healthy's REGISTER and 200 OK times, as its generator draws them."""
    rng = Rng(20230510)
    reg, ok = [], []
    t = UDP_HEALTHY_T0
    while t < UDP_HEALTHY_T0 + 30 * 60 * S:
        reg.append(t)
        ok.append(t + rng.duration(8 * MS, 20 * MS))
        t = ok[-1] + 115 * S
    return reg, ok


def check_udp_healthy(test, cap, f, experts=()):
    """sip-udp-healthy's expectations on `cap`, where f(n) is the frame of the scenario's n-th
    message: silent but for `experts` (frame, name) of other hosts, every refresh timed exactly."""
    test.assertEqual(list(experts), [(n, name) for n, name, _ in harness.experts_both_passes(test, cap)])
    reg, ok = udp_healthy_times()
    test.assertEqual(16, len(reg))
    rows = by_frame(harness.fields_both_passes(test, cap, harness.ALL_FIELDS, "keepalive && ip.addr == 10.20.30.40"))
    test.assertEqual([f(n) for n in range(1, 33)], sorted(rows))
    for k in range(16):
        r, o = rows[f(2 * k + 1)], rows[f(2 * k + 2)]
        test.assertEqual(["SEP0024142DDF24"], r["keepalive.endpoint"])
        test.assertEqual(["10.20.1.10:5060/udp"], o["keepalive.server"])
        test.assertEqual(["120"], o["keepalive.expires.granted"])
        test.assertEqual([ok[k] + 130 * S], [absolute(v) for v in o["keepalive.refresh.deadline"]])
        if k:
            test.assertEqual([115 * S], [rel(v) for v in r["keepalive.refresh.interval"]])
            test.assertEqual([0], [rel(v) for v in r["keepalive.refresh.lateness"]])
            test.assertEqual([str(f(2 * k))], r["keepalive.refresh.prev"])
            test.assertEqual([ok[k - 1] + 130 * S - ok[k]], [rel(v) for v in o["keepalive.refresh.margin"]])


_dir = tempfile.mkdtemp(prefix="ka-scenarios-")
atexit.register(shutil.rmtree, _dir, True)

# sip-udp-healthy's phone on a call with a voice gateway: G.711 RTP (payload type 0, 160 bytes)
# every 20 ms each way, the phone's from T0 + 3 ms, the gateway's 10 ms after each of them.
PHONE = (bytes.fromhex("0024142ddf24"), bytes([10, 20, 30, 40]), 16384)
GATEWAY = (bytes.fromhex("0050568e200b"), bytes([10, 20, 40, 5]), 24580)
CALL_SECONDS = 300


def rtp_frame(src, dst, seq):
    rtp = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160 & 0xFFFFFFFF, 0x5EED0000 | src[2]) + b"\xff" * 160
    udp = struct.pack("!HHHH", src[2], dst[2], 8 + len(rtp), 0) + rtp
    return dst[0] + src[0] + b"\x08\x00" + harness.ipv4(17, src[1], dst[1], udp, seq & 0xFFFF, 0xB8)


def call_times():
    """(delay after T0 in microseconds, sender) of every RTP frame, in the order they are added."""
    return [(3000 + 20000 * j + 10000 * d, d) for j in range(CALL_SECONDS * 50) for d in (0, 1)]


def on_a_call(frame, n):
    """harness.rewrite_capture's wrap: the call's frames go in with the first REGISTER, at T0."""
    if n:
        return frame
    return [frame] + [(delay, rtp_frame(*((PHONE, GATEWAY) if d == 0 else (GATEWAY, PHONE)), delay // 20000))
                      for delay, d in call_times()]


class Healthy(unittest.TestCase):
    """The healthy twins raise nothing at all and time every refresh exactly."""

    def test_udp(self):
        check_udp_healthy(self, capture("sip-udp-healthy"), lambda n: n)

    def test_udp_on_a_call(self):
        # 30,000 RTP frames between the phone and a voice gateway, from the same MAC and address
        # as the phone's REGISTERs, interleaved with the registration and the first two
        # refreshes: none annotated, and the refreshes timed as without them.
        cap = os.path.join(_dir, "sip-udp-healthy-on-a-call.pcap")
        harness.rewrite_capture(capture("sip-udp-healthy"), cap, on_a_call)
        reg, ok = udp_healthy_times()
        sip = [t for pair in zip(reg, ok) for t in pair]
        # Frames in time order, ties in the order rewrite_capture adds them: the first REGISTER,
        # the call, then the scenario's other messages.
        events = [(sip[0], 1)] + [(UDP_HEALTHY_T0 + delay * US, None) for delay, _ in call_times()] + \
            [(t, n) for n, t in enumerate(sip[1:], 2)]
        frame = numbered(events)
        self.assertEqual(32 + 30000, len(events))
        self.assertLess(reg[2], UDP_HEALTHY_T0 + CALL_SECONDS * S)  # REGISTERs 1-3 during the call
        check_udp_healthy(self, cap, lambda n: frame[n])

    def test_udp_with_a_scanner(self):
        # sip-udp-scanner: the same phone while a scanner enumerates extensions (A), guesses the
        # phone's password (B), registers the AOR to itself unanswered (C), sends "Contact: *"
        # with Expires 0, answered 401 (D), sprays REGISTERs from 20 ports (E), and removes the
        # phone's own Contact, answered 403 on its resend (F). The phone's refreshes are timed as
        # without it; the scanner's only findings are C's eight resends (Timer E: 0.5, 1, 2, then
        # 4 s); D and F remove nothing, and say nothing.
        reg, ok = udp_healthy_times()
        t0 = UDP_HEALTHY_T0
        events = [(t, n) for n, t in enumerate((t for pair in zip(reg, ok) for t in pair), 1)]
        for i in range(21):
            t = t0 + 60 * S + 20 * MS * i
            events += [(t, ("A", i)), (t + 2 * MS, ("A ok", i))]
        for k in range(10):
            t = t0 + 62 * S + 50 * MS * k
            events += [(t, ("B", k)), (t + 2 * MS, ("B ok", k))]
        t = t0 + 300 * S
        for i, gap in enumerate((0, 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000)):
            t += gap * MS
            events.append((t, ("C", i)))
        events += [(t0 + 400 * S, "D"), (t0 + 400 * S + 2 * MS, "D 401")]
        for k in range(20):
            t = t0 + 500 * S + 5 * MS * k
            events += [(t, ("E", k))] + ([(t + 2 * MS, ("E 401", k))] if k < 10 else [])
        events += [(t0 + 600 * S, "F"), (t0 + 600500 * MS, "F again"), (t0 + 600502 * MS, "F 403")]
        frame = numbered(events)
        cap = capture("sip-udp-scanner")
        self.assertEqual(len(events), len(harness.tshark(["-T", "fields", "-e", "frame.number"], capture=cap).split()))
        check_udp_healthy(self, cap, lambda n: frame[n],
                          [(frame[("C", i)], "keepalive.retransmission") for i in range(1, 9)])
        rows = harness.fields_both_passes(self, cap, ["frame.number"], "keepalive")
        for quiet in ("D", "D 401", "F", "F again", "F 403"):
            self.assertNotIn([str(frame[quiet])], [r["frame.number"] for r in rows])

    def test_udp_fragmented(self):
        # Transaction k in five frames: its REGISTER in three IPv4 fragments, its 200 OK in two;
        # each message is analysed on its last fragment.
        check_udp_healthy(self, capture("sip-udp-healthy-fragmented"), lambda n: 5 * ((n - 1) // 2) + (3 if n % 2 else 5))

    def test_tcp(self):
        cap = capture("sip-tcp-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.refresh.number", "keepalive.refresh.lateness",
                        "keepalive.refresh.margin", "keepalive.delivery.frame", "keepalive.retrans.count", "vlan.id"],
            "keepalive"))
        # Frames 1-3 handshake, then per refresh: REGISTER, CUCM ACK (delivery), 200 OK, phone ACK.
        self.assertEqual(sorted(4 + 4 * k + i for k in range(16) for i in range(3)), sorted(rows))
        for k in range(16):
            reg, ack, ok = rows[4 + 4 * k], rows[5 + 4 * k], rows[6 + 4 * k]
            self.assertEqual([str(k + 1)] * 3, reg["keepalive.refresh.number"] + ack["keepalive.refresh.number"] +
                             ok["keepalive.refresh.number"])
            self.assertEqual(["230"], reg["vlan.id"])
            self.assertEqual(["0"], ack["keepalive.retrans.count"])
            self.assertEqual([str(5 + 4 * k)], ok["keepalive.delivery.frame"])
            if k:
                self.assertEqual([0], [rel(v) for v in reg["keepalive.refresh.lateness"]])
                self.assertEqual([15 * S - 300 * US], [rel(v) for v in ack["keepalive.refresh.margin"]])


# keepalive.event values (ka::SessionEvent) of a frame the capture lacks
EV_REQUEST_UNSEEN, EV_ANSWER_UNSEEN = "8", "9"
TCP_HEALTHY_T0 = utc("2023-05-11 14:00:00")


def without(cap, frames):
    """`cap` with `frames` dropped, as from a SPAN session or capture host dropping under load."""
    out = os.path.join(_dir, "%s-without-%s.pcap" % (os.path.basename(cap)[:-5], "-".join(map(str, frames))))
    subprocess.run(["editcap", cap, out] + [str(f) for f in frames], check=True)
    return out


class FramesNotCaptured(unittest.TestCase):
    """The healthy twins with a REGISTER or its 2xx dropped from the capture stay silent: the 2xx
    without its REGISTER is the refresh, and a REGISTER answered in a 2xx the capture lacks (UDP:
    never sent again; TCP: the phone ACKs the registrar bytes the capture lacks) ended its attempt.
    What the capture cannot tell (the lateness of the refresh after a 2xx it lacks) is left out."""
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.event", "keepalive.refresh.lateness",
              "keepalive.refresh.interval", "keepalive.refresh.prev", "keepalive.refresh.margin",
              "keepalive.refresh.deadline", "keepalive.expires.granted"]

    def rows(self, cap):
        self.assertEqual([], harness.experts_both_passes(self, cap))
        return by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))

    def test_udp_register_not_captured(self):
        reg, ok = udp_healthy_times()
        rows = self.rows(without(capture("sip-udp-healthy"), [5]))  # refresh 3's REGISTER
        ok3, reg4 = rows[5], rows[6]
        self.assertEqual((["3"], [EV_REQUEST_UNSEEN], ["120"]),
                         (ok3["keepalive.refresh.number"], ok3["keepalive.event"], ok3["keepalive.expires.granted"]))
        self.assertEqual([ok[1] + 130 * S - ok[2]], [rel(v) for v in ok3["keepalive.refresh.margin"]])
        self.assertEqual([ok[2] + 130 * S], [absolute(v) for v in ok3["keepalive.refresh.deadline"]])
        self.assertEqual((["4"], [], ["5"]), (reg4["keepalive.refresh.number"], reg4["keepalive.event"],
                                             reg4["keepalive.refresh.prev"]))
        self.assertEqual(([0], [115 * S]), ([rel(v) for v in reg4["keepalive.refresh.lateness"]],
                                            [rel(v) for v in reg4["keepalive.refresh.interval"]]))
        # In the tree, what the capture lacks is told with the refresh's timing.
        out = harness.tshark(["-Y", "frame.number == 5", "-O", "keepalive"], capture=without(capture("sip-udp-healthy"), [5]))
        self.assertIn("Keepalive Analysis: SEP0024142DDF24 refresh 3 (REGISTER not captured), margin", out)
        timing = group_lines(out)["Timing"]
        self.assertEqual(["Refresh number", "Margin", "Session event"], list(timing))
        self.assertEqual("REGISTER not captured (8)", timing["Session event"])

    def test_udp_2xx_not_captured(self):
        reg, ok = udp_healthy_times()
        rows = self.rows(without(capture("sip-udp-healthy"), [6]))  # refresh 3's 200 OK
        self.assertEqual(["3"], rows[5]["keepalive.refresh.number"])
        reg4, ok4, reg5 = rows[6], rows[7], rows[8]
        self.assertEqual((["4"], [EV_ANSWER_UNSEEN], [], []),
                         (reg4["keepalive.refresh.number"], reg4["keepalive.event"],
                          reg4["keepalive.refresh.lateness"], reg4["keepalive.refresh.interval"]))
        self.assertEqual([ok[3] + 130 * S], [absolute(v) for v in ok4["keepalive.refresh.deadline"]])
        self.assertEqual([], ok4["keepalive.refresh.margin"])  # nothing was expected of refresh 4
        self.assertEqual([0], [rel(v) for v in reg5["keepalive.refresh.lateness"]])

    def test_tcp_2xx_and_its_ack_not_captured(self):
        # Refresh 2's registrar ACK and 200 OK (frames 9, 10), as when the ACK rides in the 2xx:
        # the phone's ACK of them (frame 11, now 9) delivers the REGISTER, 12.2 ms after it.
        rows = self.rows(without(capture("sip-tcp-healthy"), [9, 10]))
        self.assertEqual(["2"], rows[9]["keepalive.refresh.number"])
        self.assertEqual([15 * S - 12200 * US], [rel(v) for v in rows[9]["keepalive.refresh.margin"]])
        reg3 = rows[10]
        self.assertEqual((["3"], [EV_ANSWER_UNSEEN], []), (reg3["keepalive.refresh.number"], reg3["keepalive.event"],
                                                          reg3["keepalive.refresh.lateness"]))
        r4 = TCP_HEALTHY_T0 + 3 * (115 * S + 12 * MS)
        self.assertEqual([r4 + 15 * S], [absolute(v) for v in rows[12]["keepalive.refresh.deadline"]])
        self.assertEqual([0], [rel(v) for v in rows[14]["keepalive.refresh.lateness"]])

    def test_tcp_2xx_and_every_ack_not_captured(self):
        # Refresh 2's registrar ACK, 200 OK and the phone's ACK of it (frames 9-11): the REGISTER,
        # never retransmitted, was acknowledged; refresh 3's REGISTER (frame 12, now 9) ACKs the
        # 200 OK and is the next refresh.
        rows = self.rows(without(capture("sip-tcp-healthy"), [9, 10, 11]))
        self.assertEqual(["2"], rows[8]["keepalive.refresh.number"])
        self.assertEqual((["3"], [EV_ANSWER_UNSEEN], []), (rows[9]["keepalive.refresh.number"], rows[9]["keepalive.event"],
                                                          rows[9]["keepalive.refresh.lateness"]))
        # Its registrar ACK (now frame 10) has no margin: nothing was expected of refresh 3.
        self.assertEqual((["3"], []), (rows[10]["keepalive.refresh.number"], rows[10]["keepalive.refresh.margin"]))

    def test_tcp_register_not_captured(self):
        # Refresh 2's REGISTER and the registrar's ACK of it (frames 8, 9); its 200 OK is now frame 8.
        rows = self.rows(without(capture("sip-tcp-healthy"), [8, 9]))
        ok2 = rows[8]
        self.assertEqual((["2"], [EV_REQUEST_UNSEEN]), (ok2["keepalive.refresh.number"], ok2["keepalive.event"]))
        self.assertEqual([15 * S - 12 * MS], [rel(v) for v in ok2["keepalive.refresh.margin"]])
        reg3 = rows[10]
        self.assertEqual((["3"], [0], ["8"]), (reg3["keepalive.refresh.number"],
                                              [rel(v) for v in reg3["keepalive.refresh.lateness"]],
                                              reg3["keepalive.refresh.prev"]))


def register_unreachable(frame, n, sent={}):
    """harness.rewrite_capture's wrap for sip-udp-healthy: from refresh 3 on, the registrar's
    service is down and its host answers each REGISTER with an ICMP port unreachable in place of
    the 200 OK, quoting the REGISTER's IP header and UDP header (RFC 792)."""
    if n % 2 == 0:
        sent["register"] = frame
        return frame
    if n < 5:
        return frame
    quoted = sent["register"][14:14 + 20 + 8]
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    icmp = icmp[:2] + struct.pack("!H", harness.checksum(icmp + b"\0" * (len(icmp) % 2))) + icmp[4:]
    return frame[:14] + harness.ipv4(1, frame[26:30], frame[30:34], icmp)


class RegistrarUnreachable(unittest.TestCase):
    """sip-udp-healthy with the registrar's service down from refresh 3 on: ICMP port unreachable
    in place of each 200 OK. The phone does not resend (RFC 3261 18.4), and the REGISTER it did not
    resend is not taken as answered: refresh 3 breaches at the first frame past its deadline, and
    the later REGISTERs are retries of that attempt."""

    def test_breach(self):
        cap = os.path.join(_dir, "sip-udp-registrar-unreachable.pcap")
        harness.rewrite_capture(capture("sip-udp-healthy"), cap, register_unreachable)
        reg, ok = udp_healthy_times()
        icmp = harness.fields(cap, ["frame.number", "icmp.type", "icmp.code", "udp.dstport"], "icmp")
        self.assertEqual(list(range(6, 33, 2)), [int(r["frame.number"][0]) for r in icmp])
        self.assertEqual((["3"], ["3"], ["5060"]), (icmp[0]["icmp.type"], icmp[0]["icmp.code"], icmp[0]["udp.dstport"]))
        found = harness.experts_both_passes(self, cap)
        breaches = [(f, name) for f, name, _ in found if name == "keepalive.grace_breach"]
        self.assertEqual([(7, "keepalive.grace_breach")], breaches)
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.refresh.number", "keepalive.grace.overrun", "keepalive.event"],
            "keepalive"))
        self.assertEqual([reg[3] - (ok[1] + 130 * S)], [rel(v) for v in rows[7]["keepalive.grace.overrun"]])
        self.assertEqual(["3"] * 2, rows[7]["keepalive.refresh.number"])
        self.assertEqual(["3"], rows[31]["keepalive.refresh.number"])  # the last REGISTER: still attempt 3
        self.assertEqual([], [r for r in rows.values() if r["keepalive.event"]])


class TimerE(unittest.TestCase):
    CAP = capture("sip-udp-timer-e")
    OFFSETS = [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]

    @staticmethod
    def frame(n):
        """The frame that carries the scenario's n-th message (one frame per message)."""
        return n

    def test_resends_and_the_unanswered_refresh(self):
        f = self.frame
        t0 = utc("2023-05-12 08:00:00")
        ok1 = t0 + 10 * MS
        first2 = ok1 + 115 * S
        ok2 = first2 + 11500 * MS + 10 * MS
        first3 = ok2 + 115 * S
        rows = by_frame(harness.annotated(self, self.CAP))
        experts = harness.experts_both_passes(self, self.CAP)

        # Attempt 2: messages 3-8, answered by message 9.
        for i in range(1, 6):
            r = rows[f(3 + i)]
            self.assertEqual([str(i)], r["keepalive.retrans.count"])
            self.assertEqual([str(f(3))], r["keepalive.retrans.original"])
            self.assertEqual([(self.OFFSETS[i] - self.OFFSETS[i - 1]) * MS], [rel(v) for v in r["keepalive.retrans.gap"]])
        self.assertEqual(["5"], rows[f(9)]["keepalive.retrans.count"])
        self.assertEqual([ok1 + 130 * S - ok2], [rel(v) for v in rows[f(9)]["keepalive.refresh.margin"]])
        self.assertEqual([3490 * MS], [rel(v) for v in rows[f(9)]["keepalive.refresh.margin"]])
        # Attempt 3: messages 10-20, never answered; the deadline passes between offsets 11.5 and
        # 15.5 s, and the breach is told on the first frame past it.
        deadline = ok2 + 130 * S
        self.assertEqual(first3 + 15 * S, deadline)
        breach_frame = f(10 + 5) + 1
        self.assertEqual(first3 + self.OFFSETS[6] * MS - deadline,
                         rel([v for v in rows[breach_frame]["keepalive.grace.overrun"]][0]))
        self.assertEqual([absolute(v) for v in rows[breach_frame]["keepalive.refresh.deadline"]], [deadline])
        self.assertEqual(["10"], rows[f(20)]["keepalive.retrans.count"])

        want = [(f(n), "keepalive.retransmission") for n in list(range(4, 9)) + list(range(11, 21))]
        want.append((breach_frame, "keepalive.grace_breach"))
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in experts))


class TimerEFragmented(TimerE):
    """The same over a 296-byte MTU: each message in two IPv4 fragments, analysed once Wireshark
    has reassembled it, on its second fragment."""
    CAP = capture("sip-udp-timer-e-fragmented")

    @staticmethod
    def frame(n):
        return 2 * n

    def test_fragments_alone_carry_nothing(self):
        rows = by_frame(harness.annotated(self, self.CAP))
        # Only the breach, told on the first frame past the deadline, sits on a first fragment.
        self.assertEqual([2 * 16 - 1], [n for n in rows if n % 2 == 1])


class KeepalivePings(unittest.TestCase):
    """A UDP phone pinging its registrar between refreshes (CRLF, then STUN, then OPTIONS, each
    answered): the loss pattern's idle time runs from the phone's last ping, not from its previous
    REGISTER nor from the registrar's answer. The healthy twin stays silent."""
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.refresh.lateness", "keepalive.refresh.margin",
              "keepalive.loss.consecutive", "keepalive.loss.idle"]
    T0 = utc("2023-06-01 09:00:00")

    def oks(self, lost):
        """The 200 OKs' times: each 10 ms after the delivered transmission, 500 ms later when the
        first was lost; each next attempt 115 s after the previous 200 OK."""
        out, first = [], self.T0
        for _ in range(5):
            out.append(first + (500 * MS if lost else 0) + 10 * MS)
            first = out[-1] + 115 * S
        return out

    def test_healthy_twin_is_silent(self):
        cap = capture("sip-udp-keepalive-pings-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(2, 6):
            self.assertEqual([str(k)], rows[8 * (k - 1) + 1]["keepalive.refresh.number"])
            self.assertEqual([0], [rel(v) for v in rows[8 * (k - 1) + 1]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - 10 * MS], [rel(v) for v in rows[8 * (k - 1) + 2]["keepalive.refresh.margin"]])
        # Pings and their answers are not annotated: only the REGISTERs and their 200 OKs.
        self.assertEqual(sorted(n for k in range(5) for n in (8 * k + 1, 8 * k + 2)), sorted(rows))

    def test_idle_since_the_last_ping(self):
        cap = capture("sip-udp-keepalive-pings")
        oks = self.oks(lost=True)
        experts = harness.experts_both_passes(self, cap)
        want = [(9 * k + 2, "keepalive.retransmission") for k in range(5)]
        want += [(9 * k + 2, "keepalive.loss_pattern") for k in (2, 3, 4)]
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in experts))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in (2, 3, 4):  # attempts 3-5, after CRLF, STUN and OPTIONS pings
            first = oks[k - 1] + 115 * S
            last_ping = oks[k - 1] + 90 * S
            resend = rows[9 * k + 2]
            self.assertEqual([str(k + 1)], resend["keepalive.loss.consecutive"])
            self.assertEqual([first - last_ping], [rel(v) for v in resend["keepalive.loss.idle"]])
            self.assertEqual([25 * S], [rel(v) for v in resend["keepalive.loss.idle"]])
            self.assertEqual([first + 15 * S - oks[k]], [rel(v) for v in rows[9 * k + 3]["keepalive.refresh.margin"]])


class SlowProxy(unittest.TestCase):
    """A UDP phone behind a proxy that holds each REGISTER 7.2 s and, as RFC 4320 has it, answers
    with 100 Trying the first resend that finds it held 3.5 s or more. A 100 on the fourth
    transmission, 3.5 s after the first, shows the first arrived: resends, no loss pattern. With
    every first transmission lost, the 100 comes on the fifth: a loss pattern, as before. A proxy
    that answers 100 at once gets resends in Proceeding, no loss either."""
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.refresh.lateness", "keepalive.refresh.margin",
              "keepalive.retrans.count", "keepalive.retrans.gap", "keepalive.loss.consecutive", "keepalive.loss.idle"]
    OFFSETS = [0, 500 * MS, 1500 * MS, 3500 * MS, 7500 * MS]  # Timer E, T1 = 0.5 s

    def check(self, lossy):
        name = "sip-udp-slow-proxy" + ("-lossy" if lossy else "")
        cap = capture(name)
        sent = 5 if lossy else 4  # transmissions per attempt; then the 100 and the 200 OK
        per = sent + 2
        held_from = self.OFFSETS[1] if lossy else 0  # the proxy holds the REGISTER from this one
        trying_after = self.OFFSETS[sent - 1] + 1 * MS
        ok_after = held_from + 7200 * MS
        experts = harness.experts_both_passes(self, cap)
        want = [(per * k + i + 1, "keepalive.retransmission") for k in range(5) for i in range(1, sent)]
        if lossy:
            want += [(per * k + 2, "keepalive.loss_pattern") for k in (2, 3, 4)]
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in experts))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):  # refreshes 2-5: each first sent 115 s after the previous 200 OK
            first = rows[per * k + 1]
            self.assertEqual([str(k + 1)], first["keepalive.refresh.number"])
            self.assertEqual([0], [rel(v) for v in first["keepalive.refresh.lateness"]])
            # The deadline is 15 s after the first transmission; the 100 is the delivery's evidence.
            trying = rows[per * k + sent + 1]
            self.assertEqual([str(sent - 1)], trying["keepalive.retrans.count"])
            self.assertEqual([15 * S - trying_after], [rel(v) for v in trying["keepalive.refresh.margin"]])
            if lossy and k >= 2:
                resend = rows[per * k + 2]
                self.assertEqual([str(k + 1)], resend["keepalive.loss.consecutive"])
                # Idle since the previous attempt's last transmission, 0.2 s before its 200 OK.
                self.assertEqual([ok_after - self.OFFSETS[4] + 115 * S], [rel(v) for v in resend["keepalive.loss.idle"]])
                self.assertEqual([115200 * MS], [rel(v) for v in resend["keepalive.loss.idle"]])
        return rows

    def test_first_transmissions_held_by_the_proxy(self):
        rows = self.check(lossy=False)
        self.assertEqual([11499 * MS], [rel(v) for v in rows[6 * 4 + 5]["keepalive.refresh.margin"]])

    def test_first_transmissions_lost(self):
        rows = self.check(lossy=True)
        self.assertEqual([7499 * MS], [rel(v) for v in rows[7 * 4 + 6]["keepalive.refresh.margin"]])

    def test_resent_after_a_100_at_once(self):
        """A proxy that answers 100 at once (as before RFC 4320): the phone, in Proceeding, resends
        when Timer E fires all the same, after T1 and then T2. Resends after the registrar showed
        it had the REGISTER lost nothing."""
        cap = capture("sip-udp-slow-proxy-trying")
        experts = harness.experts_both_passes(self, cap)
        want = [(5 * k + i, "keepalive.retransmission") for k in range(5) for i in (3, 4)]
        self.assertEqual(want, sorted((n, e) for n, e, _ in experts))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):
            self.assertEqual([0], [rel(v) for v in rows[5 * k + 1]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - 1 * MS], [rel(v) for v in rows[5 * k + 2]["keepalive.refresh.margin"]])
            self.assertEqual([500 * MS], [rel(v) for v in rows[5 * k + 3]["keepalive.retrans.gap"]])
            self.assertEqual([4 * S], [rel(v) for v in rows[5 * k + 4]["keepalive.retrans.gap"]])


class BackupAndDeregistration(unittest.TestCase):
    CAP = capture("sip-udp-backup-keepalive")

    def events(self):
        t0 = utc("2023-05-15 07:00:00")
        ev, r, oks = [], t0, []
        for k in range(5):
            ev += [(r, "reg%d" % k), (r + 10 * MS, "ok%d" % k)]
            oks.append(r + 10 * MS)
            if k < 4:
                r += 10 * MS + 115 * S
        d = r + 10 * MS + 60 * S
        ev += [(d, "dereg"), (d + 10 * MS, "dereg-ok")]
        for j in range(7):
            b = t0 + 1 * S + j * 120 * S
            ev += [(b, "keep%d" % j), (b + 6 * MS, "keep-ok%d" % j)]
        return ev, oks, d

    def test_roles_intervals_and_verdicts(self):
        ev, oks, d = self.events()
        n = numbered(ev)
        rows = by_frame(harness.annotated(self, self.CAP))
        experts = harness.experts_both_passes(self, self.CAP)
        want = [(n["keep%d" % j], "keepalive.backup_keepalive") for j in range(7)] + [(n["dereg"], "keepalive.unregister")]
        self.assertEqual(sorted(want), sorted((f, name) for f, name, _ in experts))
        for j in range(7):
            r = rows[n["keep%d" % j]]
            self.assertEqual(["backup"], r["keepalive.role"])
            self.assertEqual(["10.60.1.11:5060/udp"], r["keepalive.server"])
            self.assertEqual([], r["keepalive.refresh.expected"])
            self.assertEqual([], r["keepalive.refresh.lateness"])
            if j:
                self.assertEqual([120 * S - 6 * MS], [rel(v) for v in r["keepalive.refresh.interval"]])
        for k in range(1, 5):
            r = rows[n["reg%d" % k]]
            self.assertEqual(["primary"], r["keepalive.role"])
            self.assertEqual([0], [rel(v) for v in r["keepalive.refresh.lateness"]])
        dereg = rows[n["dereg"]]
        self.assertEqual(["SEP00AABB112233"], dereg["keepalive.endpoint"])
        self.assertEqual([d - oks[4]], [rel(v) for v in dereg["keepalive.refresh.interval"]])
        self.assertEqual([], dereg["keepalive.refresh.lateness"])
        # After the de-registration nothing expects a refresh: its 200 OK grants nothing.
        self.assertEqual([], rows[n["dereg-ok"]]["keepalive.refresh.expected"])

    def test_stats(self):
        # The backup's REGISTERs are its 7 keepalives; the primary's, 5 refreshes and the
        # de-registration, with 4 margins of 115 + 15 s granted 120 - 5 s ahead (130 - 115.010).
        tree = [parse_tree(harness.tshark(["-q", "-z", "keepalive,tree"], capture=self.CAP, two_pass=two_pass))
                for two_pass in (False, True)]
        self.assertEqual(tree[0], tree[1])
        self.assertEqual(tree[0], {
            "SEP00AABB112233 @ 10.60.1.11:5060/udp": {"total": 14, "Keepalives": 7},
            "SEP00AABB112233 @ 10.60.1.10:5060/udp": {"total": 12, "Refreshes": 6, "Margin (ms, Min = worst)": 4},
        })


class DemotedPrimary(unittest.TestCase):
    """A primary demoted to backup keepalives and promoted back: the old grant's deadline passes
    unnoticed, and the return is timed from its own 2xx."""
    CAP = capture("sip-udp-demoted-primary")

    def test_silent_and_timed_from_the_fresh_grant(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(n, "keepalive.backup_keepalive") for n in (7, 9, 11, 13, 15)],
                         sorted((n, name) for n, name, _ in experts))
        rows = by_frame(harness.annotated(self, self.CAP))
        self.assertEqual(list(range(1, 23)), sorted(rows))
        ok2 = utc("2023-05-18 07:00:00") + 2 * (10 * MS + 115 * S) + 10 * MS
        self.assertEqual([ok2 + 130 * S], [absolute(v) for v in rows[6]["keepalive.refresh.deadline"]])
        for n in (7, 9, 11, 13, 15):
            r = rows[n]
            self.assertEqual(["backup"], r["keepalive.role"])
            self.assertEqual([60 * S if n == 7 else 60 * S - 6 * MS], [rel(v) for v in r["keepalive.refresh.interval"]])
            self.assertEqual([], r["keepalive.refresh.lateness"])
            self.assertEqual([], rows[n + 1]["keepalive.refresh.margin"])
        back = rows[17]
        self.assertEqual(["primary"], back["keepalive.role"])
        self.assertEqual([], back["keepalive.refresh.lateness"])
        p0 = ok2 + 5 * 60 * S + 60 * S
        self.assertEqual([p0 + 10 * MS + 115 * S], [absolute(v) for v in rows[18]["keepalive.refresh.expected"]])
        for n in (19, 21):
            self.assertEqual([115 * S], [rel(v) for v in rows[n]["keepalive.refresh.interval"]])
            self.assertEqual([0], [rel(v) for v in rows[n]["keepalive.refresh.lateness"]])
            self.assertEqual([str(n - 1)], rows[n]["keepalive.refresh.prev"])
            self.assertEqual([15 * S - 10 * MS], [rel(v) for v in rows[n + 1]["keepalive.refresh.margin"]])


class RefreshTiming(unittest.TestCase):
    CAP = capture("sip-udp-refresh-timing")
    LATE = [4, 9, 14]

    def events(self):
        t0 = utc("2023-05-16 10:00:00")
        ev = []
        t = t0
        for k in range(6):
            ev += [(t, "a-reg%d" % k), (t + 20 * MS, "a-ok%d" % k)]
            t += 20 * MS + 60 * S
        t = t0 + 5 * S
        for k in range(4):
            ev += [(t, "b-reg%d" % k), (t + 20 * MS, "b-ok%d" % k)]
            if k < 3:
                t += 20 * MS + 115 * S + self.LATE[k] * S
        return ev

    def run_with(self, tolerance_ms):
        prefs = {"late_tolerance_ms": str(tolerance_ms)} if tolerance_ms != 1000 else None
        n = numbered(self.events())
        experts = harness.experts_both_passes(self, self.CAP, prefs)
        want = [(n["b-reg%d" % k], "keepalive.refresh_late") for k in range(1, 4)
                if self.LATE[k - 1] * 1000 > tolerance_ms]
        self.assertEqual(sorted(want), sorted((f, name) for f, name, _ in experts))
        return n

    def test_half_grant_and_late_inside_grace(self):
        n = self.run_with(1000)
        rows = by_frame(harness.annotated(self, self.CAP))
        for k in range(1, 6):
            self.assertEqual([60 * S], [rel(v) for v in rows[n["a-reg%d" % k]]["keepalive.refresh.interval"]])
            self.assertEqual([-55 * S], [rel(v) for v in rows[n["a-reg%d" % k]]["keepalive.refresh.lateness"]])
            self.assertEqual([70 * S - 20 * MS], [rel(v) for v in rows[n["a-ok%d" % k]]["keepalive.refresh.margin"]])
        for k in range(1, 4):
            late = self.LATE[k - 1] * S
            self.assertEqual([115 * S + late], [rel(v) for v in rows[n["b-reg%d" % k]]["keepalive.refresh.interval"]])
            self.assertEqual([late], [rel(v) for v in rows[n["b-reg%d" % k]]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - late - 20 * MS], [rel(v) for v in rows[n["b-ok%d" % k]]["keepalive.refresh.margin"]])

    def test_late_tolerance_preference(self):
        self.run_with(5000)
        self.run_with(15000)


class Restart(unittest.TestCase):
    CAP = capture("sip-tcp-restart")

    def test_same_binding_after_a_new_call_id(self):
        self.assertEqual([], harness.experts_both_passes(self, self.CAP))
        t0 = utc("2023-05-17 16:00:00")
        oks = [t0 + 15 * MS + k * (115 * S + 15 * MS) for k in range(3)]
        y = oks[2] + 40 * S
        rows = by_frame(harness.fields_both_passes(
            self, self.CAP, ["frame.number", "keepalive.endpoint", "keepalive.refresh.number", "keepalive.event",
                             "keepalive.refresh.interval", "keepalive.refresh.lateness", "keepalive.refresh.margin",
                             "tcp.stream"], "keepalive"))
        # Connection 1: frames 1-3 handshake, exchanges at 4, 8, 12 (REGISTER, ACK, 200 OK, phone ACK),
        # 16 RST; connection 2: 17-19 handshake, exchanges at 20 (401), 24, 28, 32.
        refresh_of = {4: 1, 8: 2, 12: 3, 20: 4, 24: 4, 28: 5, 32: 6}
        for frame, number in refresh_of.items():
            self.assertEqual([str(number)], rows[frame]["keepalive.refresh.number"])
            self.assertEqual(["SEP00DDEE445566"], rows[frame]["keepalive.endpoint"])
        self.assertEqual(["1"], rows[20]["tcp.stream"])
        restart = rows[20]
        self.assertEqual(["7"], restart["keepalive.event"])  # SessionEvent::NewCallId
        self.assertEqual([40 * S], [rel(v) for v in restart["keepalive.refresh.interval"]])
        self.assertEqual([-75 * S], [rel(v) for v in restart["keepalive.refresh.lateness"]])
        self.assertEqual([], rows[24]["keepalive.refresh.interval"])  # the authenticated retry: same attempt
        # The challenged REGISTER's ACK is no delivery; the retry's is the attempt's only margin.
        self.assertEqual([], rows[21]["keepalive.refresh.margin"])
        self.assertEqual([oks[2] + 130 * S - (y + 30 * MS + 300 * US)],
                         [rel(v) for v in rows[25]["keepalive.refresh.margin"]])
        for frame in (28, 32):
            self.assertEqual([115 * S], [rel(v) for v in rows[frame]["keepalive.refresh.interval"]])
            self.assertEqual([], rows[frame]["keepalive.event"])
            # This registrar challenges: the ACK may precede a challenge, the 200 OK proves it did not.
            self.assertEqual([], rows[frame + 1]["keepalive.refresh.margin"])
            self.assertEqual([15 * S - 300 * US], [rel(v) for v in rows[frame + 2]["keepalive.refresh.margin"]])
        out = harness.tshark(["-Y", "frame.number == 20", "-V"], capture=self.CAP)
        self.assertIn("SEP00DDEE445566 refresh 4 (re-registration, new Call-ID)", out)


class Reconnect(unittest.TestCase):
    """A phone without +sip.instance whose Contact carries its TCP connection's port reconnects
    from a new port under the same Call-ID: the same binding, its old Contact no missed refresh."""

    T0 = utc("2023-05-18 09:00:00")
    # Connection 1: frames 1-3 handshake, exchanges at 4, 8, 12 (REGISTER, CUCM ACK, 200 OK, phone
    # ACK), 16 RST; connection 2: 17-19 handshake, exchanges at 20, 24, 28.
    REGISTERS = {4: 1, 8: 2, 12: 3, 20: 4, 24: 5, 28: 6}

    def times(self):
        """The 200 OKs of CSeq 1-4, and Y, when the phone reconnects."""
        oks = [self.T0 + 15 * MS + k * (115 * S + 15 * MS) for k in range(3)]
        y = oks[2] + 40 * S
        return oks + [y + 15 * MS], y

    def rows(self, cap):
        return by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.endpoint", "keepalive.refresh.number", "keepalive.event",
                        "keepalive.refresh.interval", "keepalive.refresh.lateness", "keepalive.refresh.margin",
                        "keepalive.grace.overrun", "tcp.stream"], "keepalive"))

    def assert_one_binding(self, rows, frames):
        oks, y = self.times()
        for frame in frames:
            self.assertEqual([str(self.REGISTERS[frame])], rows[frame]["keepalive.refresh.number"], frame)
            self.assertEqual(["sip:8035@10.80.1.10"], rows[frame]["keepalive.endpoint"], frame)
            self.assertEqual([], rows[frame + 2]["keepalive.event"], frame)  # no REGISTER the capture lacks
        self.assertEqual(["1"], rows[20]["tcp.stream"])
        self.assertEqual([40 * S], [rel(v) for v in rows[20]["keepalive.refresh.interval"]])
        self.assertEqual([-75 * S], [rel(v) for v in rows[20]["keepalive.refresh.lateness"]])
        self.assertEqual([oks[2] + 130 * S - (y + 300 * US)], [rel(v) for v in rows[21]["keepalive.refresh.margin"]])
        return oks

    def test_same_binding_on_the_new_connection(self):
        cap = capture("sip-tcp-reconnect")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = self.rows(cap)
        self.assert_one_binding(rows, self.REGISTERS)
        for frame in (24, 28):
            self.assertEqual([115 * S], [rel(v) for v in rows[frame]["keepalive.refresh.interval"]])
            self.assertEqual([0], [rel(v) for v in rows[frame]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - 300 * US], [rel(v) for v in rows[frame + 1]["keepalive.refresh.margin"]])

    def test_silent_after_reconnecting_breaches_once(self):
        cap = capture("sip-tcp-reconnect-silent")
        breaches = [(f, name) for f, name, _ in harness.experts_both_passes(self, cap)]
        self.assertEqual([(24, "keepalive.grace_breach")], breaches)
        rows = self.rows(cap)
        oks = self.assert_one_binding(rows, (4, 8, 12, 20))
        self.assertEqual(["5"], rows[24]["keepalive.refresh.number"])
        self.assertEqual([(oks[3] + 150 * S) - (oks[3] + 130 * S)],
                         [rel(v) for v in rows[24]["keepalive.grace.overrun"]])


class RestartWithoutInstance(unittest.TestCase):
    """The same phone restarting instead: a new connection, a new Call-ID from CSeq 1, the old
    connection left as it was. Its old Contact lapses at the registrar with the new one registered:
    a re-registration told at the old deadline, no breach. Two devices behind one address sharing
    the AOR, one of which stops, still give one."""

    T0 = utc("2023-05-18 09:00:00")
    FIELDS = ["frame.number", "keepalive.endpoint", "keepalive.refresh.number", "keepalive.event",
              "keepalive.refresh.interval", "keepalive.refresh.lateness", "keepalive.refresh.margin",
              "keepalive.refresh.deadline", "keepalive.refresh.prev", "keepalive.grace.overrun", "tcp.stream"]

    def oks(self):
        """Connection 1's 200 OKs of CSeq 1-3."""
        return [self.T0 + 15 * MS + k * (115 * S + 15 * MS) for k in range(3)]

    def rows(self, name):
        return by_frame(harness.fields_both_passes(self, capture(name), self.FIELDS, "keepalive"))

    def assert_restart(self, rows):
        """Connection 1: frames 1-3 handshake, exchanges at 4, 8, 12 (REGISTER, CUCM ACK, 200 OK, phone
        ACK); connection 2: 16-18 handshake, its first exchange at 19. Returns that 200 OK's time."""
        oks = self.oks()
        for frame, number in {4: 1, 8: 2, 12: 3, 19: 1}.items():
            self.assertEqual([str(number)], rows[frame]["keepalive.refresh.number"], frame)
            self.assertEqual(["sip:8035@10.80.1.10"], rows[frame]["keepalive.endpoint"], frame)
            self.assertEqual([], rows[frame]["keepalive.event"], frame)
        self.assertEqual(["1"], rows[19]["tcp.stream"])
        self.assertEqual([], rows[19]["keepalive.refresh.lateness"])  # a binding of its own, so far
        return oks[2] + 40 * S + 15 * MS

    def assert_superseded(self, row, k):
        """Annotation k of the first frame past the old Contact's deadline: its re-registration."""
        oks = self.oks()
        self.assertEqual("4", row["keepalive.refresh.number"][k])
        self.assertEqual("7", row["keepalive.event"][0])  # SessionEvent::NewCallId, the frame's only event
        self.assertEqual(oks[2] + 130 * S, absolute(row["keepalive.refresh.deadline"][k]))
        self.assertEqual("14", row["keepalive.refresh.prev"][k])

    def test_restart_lapses_the_old_contact_without_a_breach(self):
        cap = capture("sip-tcp-restart-no-instance")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = self.rows("sip-tcp-restart-no-instance")
        ok1 = self.assert_restart(rows)
        # Frame 23: connection 2's CSeq 2 at ok1 + 115 s, the first frame past the old deadline
        # (ok1 + 90 s - 15 ms): the new Contact's refresh 2, then the old Contact's note.
        self.assertEqual(["2", "4"], rows[23]["keepalive.refresh.number"])
        self.assertEqual([115 * S], [rel(v) for v in rows[23]["keepalive.refresh.interval"]])
        self.assertEqual([0], [rel(v) for v in rows[23]["keepalive.refresh.lateness"]])
        self.assertEqual([ok1 + 130 * S, self.oks()[2] + 130 * S],
                         [absolute(v) for v in rows[23]["keepalive.refresh.deadline"]])
        self.assertEqual(["21", "14"], rows[23]["keepalive.refresh.prev"])
        self.assert_superseded(rows[23], 1)
        for frame in (24, 28):
            self.assertEqual([15 * S - 300 * US], [rel(v) for v in rows[frame]["keepalive.refresh.margin"]])
        self.assertEqual(["3"], rows[27]["keepalive.refresh.number"])
        out = harness.tshark(["-Y", "frame.number == 23", "-V"], capture=cap)
        self.assertIn("sip:8035@10.80.1.10 refresh 4 superseded: re-registered from a new Contact under a new Call-ID", out)

    def test_restart_then_silent_breaches_once_for_the_new_contact(self):
        cap = capture("sip-tcp-restart-no-instance-silent")
        breaches = [(f, name) for f, name, _ in harness.experts_both_passes(self, cap)]
        self.assertEqual([(23, "keepalive.grace_breach")], breaches)
        rows = self.rows("sip-tcp-restart-no-instance-silent")
        ok1 = self.assert_restart(rows)
        # Frame 23: the ARP at ok1 + 150 s, past both deadlines: the old Contact's first.
        self.assertEqual(["4", "2"], rows[23]["keepalive.refresh.number"])
        self.assert_superseded(rows[23], 0)
        self.assertEqual([(ok1 + 150 * S) - (ok1 + 130 * S)], [rel(v) for v in rows[23]["keepalive.grace.overrun"]])

    def test_two_devices_behind_one_address_one_stops_breach(self):
        cap = capture("sip-tcp-shared-address")
        breaches = [(f, name) for f, name, _ in harness.experts_both_passes(self, cap)]
        self.assertEqual([(31, "keepalive.grace_breach")], breaches)
        rows = self.rows("sip-tcp-shared-address")
        # Device 1: REGISTERs at 4, 15, 23 (T0, then 115.015 s apart); device 2 (handshake 8-10):
        # 11, 19, 27, 31, 35 at T0 + 40 s + k (115.015 s).
        for frame, number in {4: 1, 15: 2, 23: 3, 11: 1, 19: 2, 27: 3, 35: 5}.items():
            self.assertEqual([str(number)], rows[frame]["keepalive.refresh.number"], frame)
        self.assertEqual(["4", "4"], rows[31]["keepalive.refresh.number"])
        self.assertEqual([], rows[31]["keepalive.event"])
        s3 = self.T0 + 40 * S + 3 * (115 * S + 15 * MS)
        self.assertEqual([s3 - (self.oks()[2] + 130 * S)], [rel(v) for v in rows[31]["keepalive.grace.overrun"]])
        self.assertEqual(25 * S, s3 - (self.oks()[2] + 130 * S))


class NatRebind(unittest.TestCase):
    """A softphone behind a NAT whose public port changes: the next REGISTER, with its old Contact,
    comes from the new port; told its new port by the 200 OK's Via, it registers a new Contact
    under the same Call-ID and leaves the old one to lapse. The registrar's 200 OKs list every
    binding of the AOR. No warning or error: the old Contact's lapse is told at its deadline."""

    CAP = capture("sip-udp-nat-rebind")
    T0 = utc("2023-06-05 10:00:00")

    def test_old_contact_lapses_without_a_breach(self):
        self.assertEqual([], harness.experts_both_passes(self, self.CAP))
        rows = by_frame(harness.fields_both_passes(
            self, self.CAP, ["frame.number", "keepalive.refresh.number", "keepalive.event", "keepalive.refresh.lateness",
                             "keepalive.refresh.deadline", "keepalive.refresh.prev", "keepalive.expires.granted"],
            "keepalive"))
        # Frame 2k-1: REGISTER CSeq k, frame 2k: its 200 OK.
        ok = [self.T0 + 15 * MS]
        ok.append(ok[-1] + 115 * S + 15 * MS)
        ok.append(ok[-1] + 115 * S + 15 * MS)
        ok.append(ok[-1] + 25 * MS)  # CSeq 4 at once, with the new Contact
        for _ in range(3):
            ok.append(ok[-1] + 115 * S + 15 * MS)
        # The old Contact: CSeq 1-3 (the third from the new port); the new one: CSeq 4-7.
        refresh = {1: ["1"], 3: ["2"], 5: ["3"], 7: ["1"], 9: ["2"], 11: ["3", "4"], 13: ["4"]}
        for frame, numbers in refresh.items():
            self.assertEqual(numbers, rows[frame]["keepalive.refresh.number"], frame)
        for frame in (3, 5, 9, 11, 13):
            self.assertEqual([0], [rel(v) for v in rows[frame]["keepalive.refresh.lateness"]], frame)
        for frame in range(2, 15, 2):
            # Each 200 OK grants its own REGISTER's Contact, and no REGISTER the capture lacks.
            self.assertEqual(["120"], rows[frame]["keepalive.expires.granted"], frame)
            self.assertEqual([], rows[frame]["keepalive.event"], frame)
        # Frame 11, CSeq 6 at ok[4] + 115 s, is the first past the old Contact's deadline, ok[2] + 130 s.
        self.assertLess(ok[2] + 130 * S, ok[4] + 115 * S)
        self.assertGreater(ok[2] + 130 * S, ok[3] + 115 * S)
        self.assertEqual([ok[4] + 130 * S, ok[2] + 130 * S], [absolute(v) for v in rows[11]["keepalive.refresh.deadline"]])
        self.assertEqual(["10", "6"], rows[11]["keepalive.refresh.prev"])
        self.assertEqual([], rows[11]["keepalive.event"])  # the same Call-ID: no restart
        out = harness.tshark(["-Y", "frame.number == 11", "-V"], capture=self.CAP)
        self.assertIn("sip:8040@203.0.113.10 refresh 4 superseded: re-registered from a new Contact]", out)

    def test_old_contact_removed_in_the_new_ones_register(self):
        cap = capture("sip-udp-nat-rebind-unregister")
        self.assertEqual([(7, "keepalive.unregister")], [(f, n) for f, n, _ in harness.experts_both_passes(self, cap)])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.refresh.number", "keepalive.refresh.lateness"], "keepalive"))
        # Frame 7, CSeq 4: the new Contact's first REGISTER, the old one's de-registration.
        self.assertEqual(["1", "4"], rows[7]["keepalive.refresh.number"])
        for frame, number in {9: "2", 11: "3", 13: "4"}.items():
            self.assertEqual([number], rows[frame]["keepalive.refresh.number"], frame)
            self.assertEqual([0], [rel(v) for v in rows[frame]["keepalive.refresh.lateness"]], frame)

    def test_silent_after_the_new_contact_breaches_once(self):
        cap = capture("sip-udp-nat-rebind-silent")
        breaches = [(f, name) for f, name, _ in harness.experts_both_passes(self, cap)]
        self.assertEqual([(9, "keepalive.grace_breach")], breaches)
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.refresh.number", "keepalive.refresh.deadline",
                        "keepalive.grace.overrun", "keepalive.event"], "keepalive"))
        ok2 = self.T0 + 15 * MS + 2 * (115 * S + 15 * MS)
        ok3 = ok2 + 25 * MS
        # Frame 9, the ARP at ok3 + 150 s: the old Contact's lapse (its deadline first), then the
        # new one's breach.
        self.assertEqual(["4", "2"], rows[9]["keepalive.refresh.number"])
        self.assertEqual([ok2 + 130 * S, ok3 + 130 * S], [absolute(v) for v in rows[9]["keepalive.refresh.deadline"]])
        self.assertEqual([(ok3 + 150 * S) - (ok3 + 130 * S)], [rel(v) for v in rows[9]["keepalive.grace.overrun"]])
        self.assertEqual([], rows[9]["keepalive.event"])


class ProxyMultiplex(unittest.TestCase):
    """Two phones' REGISTERs in one TCP segment, lost and retransmitted; a REGISTER split in two."""
    CAP = capture("sip-tcp-proxy-multiplex")

    def test_messages_share_segments_but_not_verdicts(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(5, "keepalive.retransmission")] * 2, [(n, e) for n, e, _ in experts])
        rows = by_frame(harness.fields_both_passes(
            self, self.CAP, ["frame.number", "keepalive.endpoint", "keepalive.refresh.number", "keepalive.retrans.count",
                             "keepalive.retrans.original", "keepalive.retrans.gap", "keepalive.refresh.lateness",
                             "keepalive.refresh.margin", "keepalive.delivery.frame", "keepalive.expires.granted"],
            "keepalive"))
        phones = ["sip:9001@10.90.1.10", "sip:9002@10.90.1.10"]
        self.assertEqual([4, 5, 6, 7, 11, 12, 13, 14, 15, 16], sorted(rows))
        for n in (4, 5, 6, 7):
            self.assertEqual(phones, rows[n]["keepalive.endpoint"])
        self.assertEqual(["4", "4"], rows[5]["keepalive.retrans.original"])
        self.assertEqual([250 * MS] * 2, [rel(v) for v in rows[5]["keepalive.retrans.gap"]])
        self.assertEqual(["1", "1"], rows[6]["keepalive.retrans.count"])
        self.assertEqual(["6", "6"], rows[7]["keepalive.delivery.frame"])
        self.assertEqual(["120", "120"], rows[7]["keepalive.expires.granted"])
        # Frame 10 acknowledges only the first half of 9001's refresh: no delivery.
        self.assertEqual([phones[0]], rows[11]["keepalive.endpoint"])
        self.assertEqual([1 * MS], [rel(v) for v in rows[11]["keepalive.refresh.lateness"]])
        self.assertEqual([15 * S - 1300 * US], [rel(v) for v in rows[12]["keepalive.refresh.margin"]])
        self.assertEqual([5 * MS], [rel(v) for v in rows[13]["keepalive.refresh.lateness"]])
        self.assertEqual([15 * S - 5300 * US], [rel(v) for v in rows[14]["keepalive.refresh.margin"]])
        self.assertEqual(["12"], rows[15]["keepalive.delivery.frame"])
        self.assertEqual(["14"], rows[16]["keepalive.delivery.frame"])


class ChallengedBackoff(unittest.TestCase):
    """Every REGISTER challenged once; in the back-off variant the challenged first REGISTER of
    each refresh waits for a doubling TCP retransmission, which the forecast follows."""
    T0 = utc("2023-05-20 10:00:00")
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.refresh.lateness", "keepalive.refresh.margin",
              "keepalive.retrans.gap", "keepalive.forecast.refreshes", "keepalive.forecast.time",
              "keepalive.forecast.gap"]

    def oks(self, gaps):
        out, s = [], self.T0
        for g in gaps:
            out.append(s + g + 20 * MS)
            s = out[-1] + 115 * S
        return out

    def test_healthy_twin_is_silent(self):
        cap = capture("sip-tcp-challenged-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):
            self.assertEqual([str(k + 1)], rows[4 + 5 * k]["keepalive.refresh.number"])
            self.assertEqual([0], [rel(v) for v in rows[4 + 5 * k]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - 20 * MS], [rel(v) for v in rows[7 + 5 * k]["keepalive.refresh.margin"]])

    def test_backoff_forecast_through_the_challenge(self):
        cap = capture("sip-tcp-challenged-backoff")
        gaps = [0, 1 * S, 2 * S, 4 * S, 8 * S]
        experts = harness.experts_both_passes(self, cap)
        want = [(n, "keepalive.retransmission") for n in (10, 16, 22, 28)]
        want += [(22, "keepalive.loss_pattern"), (28, "keepalive.loss_pattern"), (31, "keepalive.breach_forecast")]
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in experts))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):
            self.assertEqual([gaps[k]], [rel(v) for v in rows[4 + 6 * k]["keepalive.retrans.gap"]])
            self.assertEqual([15 * S - gaps[k] - 20 * MS], [rel(v) for v in rows[7 + 6 * k]["keepalive.refresh.margin"]])
        f = rows[31]
        self.assertEqual(["1"], f["keepalive.forecast.refreshes"])
        self.assertEqual([16 * S], [rel(v) for v in f["keepalive.forecast.gap"]])
        self.assertEqual([self.oks(gaps)[4] + 130 * S], [absolute(v) for v in f["keepalive.forecast.time"]])


class HeldBehind(unittest.TestCase):
    """Each refresh sent right behind a SUBSCRIBE on its connection; in the lossy variant the
    SUBSCRIBE is lost and the REGISTER, never resent, reaches SIP only with the SUBSCRIBE's
    doubling retransmission: its delivery names it, the forecast follows the delay, and the grace
    window is breached."""
    T0 = utc("2023-05-22 08:00:00")
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.refresh.margin", "keepalive.retrans.count",
              "keepalive.delivery.held_by", "keepalive.grace.overrun", "keepalive.forecast.refreshes",
              "keepalive.forecast.time", "keepalive.forecast.gap"]

    def test_healthy_twin_is_silent(self):
        cap = capture("sip-tcp-held-behind-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 6):
            delivery = rows[6 + 6 * k]  # the registrar's ACK of the SUBSCRIBE and the REGISTER
            self.assertEqual([str(k + 1)], delivery["keepalive.refresh.number"])
            self.assertEqual([15 * S - 1300 * US], [rel(v) for v in delivery["keepalive.refresh.margin"]])
        self.assertFalse([n for n, r in rows.items() if r["keepalive.delivery.held_by"]])

    def test_delivery_held_behind_the_retransmission(self):
        cap = capture("sip-tcp-held-behind")
        gaps = [0, 1 * S, 2 * S, 4 * S, 8 * S, 16 * S]
        # The REGISTER waits from S_k + 1 ms to the retransmission at S_k + G_k: 1, 2, 4, 8 s less
        # 1 ms grow 2x three times by attempt 4, whose 200 OK (frame 40) forecasts the next wait
        # past the grace the 1 ms lateness leaves. Attempt 5's REGISTER, sent in time and never
        # resent, is delivered 16.0003 s after S_5, 1.0003 s past its deadline (frame 46). No
        # retransmission of a REGISTER, no loss pattern: its first transmission was not lost.
        self.assertEqual([(40, "keepalive.breach_forecast"), (46, "keepalive.grace_breach")],
                         sorted((n, name) for n, name, _ in harness.experts_both_passes(self, cap)))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        oks, s = [], self.T0
        for g in gaps:
            oks.append(s + g + 12 * MS)
            s = oks[-1] + 115 * S
        want = forecast(gaps[4] - MS, gaps[3] - MS, oks[4] + 115 * S, 15 * S, 115 * S, lateness=MS)
        self.assertEqual(1, want[0])
        f = rows[40]
        self.assertEqual([str(want[0])], f["keepalive.forecast.refreshes"])
        self.assertEqual([want[1]], [absolute(v) for v in f["keepalive.forecast.time"]])
        self.assertEqual([want[2]], [rel(v) for v in f["keepalive.forecast.gap"]])
        self.assertEqual(oks[4] + 130 * S, want[1])  # attempt 5's deadline, which it breaches
        for k in range(1, 6):
            register, retransmission, delivery = 3 + 8 * k, 5 + 8 * k, 6 + 8 * k
            self.assertEqual(["0"], rows[register]["keepalive.retrans.count"])
            self.assertNotIn(retransmission, rows)  # the SUBSCRIBE's bytes: no REGISTER resent
            d = rows[delivery]
            self.assertEqual([str(retransmission)], d["keepalive.delivery.held_by"])
            self.assertEqual([15 * S - gaps[k] - 300 * US], [rel(v) for v in d["keepalive.refresh.margin"]])
            self.assertEqual(["0"], d["keepalive.retrans.count"])
        self.assertEqual([S + 300 * US], [rel(v) for v in rows[46]["keepalive.grace.overrun"]])
        out = harness.tshark(["-Y", "frame.number == 14", "-V"], capture=cap)
        self.assertIn("margin 14.0 s, held behind the retransmission in frame 13", out)


class IntervalTooBrief(unittest.TestCase):
    """423 Interval Too Brief and the retry asking for Min-Expires, with the registrar's ACK of each
    REGISTER on its own: one margin per attempt, from the REGISTER that ends in 200 OK."""
    FIELDS = ["frame.number", "keepalive.refresh.number", "keepalive.refresh.interval",
              "keepalive.refresh.lateness", "keepalive.refresh.margin", "keepalive.delivery.frame"]

    def margins(self, rows):
        return {n: [rel(v) for v in row["keepalive.refresh.margin"]]
                for n, row in rows.items() if row["keepalive.refresh.margin"]}

    def check_refresh(self, rows, first, k):
        self.assertEqual([str(k + 1)], rows[first]["keepalive.refresh.number"])
        self.assertEqual([115 * S], [rel(v) for v in rows[first]["keepalive.refresh.interval"]])
        self.assertEqual([0], [rel(v) for v in rows[first]["keepalive.refresh.lateness"]])

    def test_every_refresh_refused_once(self):
        cap = capture("sip-tcp-interval-too-brief")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):
            self.check_refresh(rows, 4 + 7 * k, k)
            self.assertEqual([str(8 + 7 * k)], rows[9 + 7 * k]["keepalive.delivery.frame"])
        # Deadline S_k + 15 s, the retry's ACK at S_k + 15 ms; the refused REGISTER's ACK has none.
        self.assertEqual({8 + 7 * k: [15 * S - 15 * MS] for k in range(1, 5)}, self.margins(rows))

    def test_healthy_twin_refused_only_at_registration(self):
        cap = capture("sip-tcp-interval-too-brief-once")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        for k in range(1, 5):
            self.check_refresh(rows, 7 + 4 * k, k)
            self.assertEqual([str(8 + 4 * k)], rows[9 + 4 * k]["keepalive.delivery.frame"])
        # The ACK at S_k + 5 ms, told by the 200 OK that proves no refusal followed it.
        self.assertEqual({9 + 4 * k: [15 * S - 5 * MS] for k in range(1, 5)}, self.margins(rows))


class ProxyBurst(unittest.TestCase):
    """Six phones' REGISTERs in flight together on one proxy connection: each followed to the ACK
    that delivers it, and the first one's retransmission attributed to it."""
    PHONES = ["sip:910%d@10.91.1.10" % k for k in range(1, 7)]
    FIELDS = ["frame.number", "keepalive.endpoint", "keepalive.retrans.count", "keepalive.retrans.original",
              "keepalive.retrans.gap", "keepalive.delivery.frame", "keepalive.expires.granted"]

    def check(self, cap, ack, oks):
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS, "keepalive"))
        self.assertEqual(sorted(self.PHONES), sorted(rows[ack]["keepalive.endpoint"]))
        for k, n in enumerate(oks):
            self.assertEqual([self.PHONES[k]], rows[n]["keepalive.endpoint"])
            self.assertEqual([str(ack)], rows[n]["keepalive.delivery.frame"])
            self.assertEqual(["120"], rows[n]["keepalive.expires.granted"])
        return rows

    def test_healthy_twin_is_silent(self):
        cap = capture("sip-tcp-proxy-burst-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = self.check(cap, 10, range(11, 17))
        self.assertEqual(["0"] * 6, rows[10]["keepalive.retrans.count"])

    def test_the_oldest_lost_request_is_retransmitted_and_delivered(self):
        cap = capture("sip-tcp-proxy-burst")
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(10, "keepalive.retransmission")], [(n, e) for n, e, _ in experts])
        rows = self.check(cap, 11, range(12, 18))
        self.assertEqual([self.PHONES[0]], rows[10]["keepalive.endpoint"])
        self.assertEqual(["1"], rows[10]["keepalive.retrans.count"])
        self.assertEqual(["4"], rows[10]["keepalive.retrans.original"])
        self.assertEqual([300 * MS], [rel(v) for v in rows[10]["keepalive.retrans.gap"]])
        ack = dict(zip(rows[11]["keepalive.endpoint"], rows[11]["keepalive.retrans.count"]))
        self.assertEqual({p: "1" if k == 0 else "0" for k, p in enumerate(self.PHONES)}, ack)

    def test_a_fast_retransmission_is_attributed_and_delivered(self):
        # Three duplicate ACKs ask for phone 1's lost segment; the proxy resends it 3.4 ms after
        # the first transmission; the next ACK delivers phones 1-4, a later one phones 5 and 6.
        cap = capture("sip-tcp-proxy-fast-retransmit")
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(11, "keepalive.retransmission")], [(n, e) for n, e, _ in experts])
        rows = by_frame(harness.fields_both_passes(self, cap, self.FIELDS + ["tcp.analysis.fast_retransmission",
                                                                        "sip.Method"], "keepalive"))
        # Unlike a timeout's retransmission, Wireshark up to 4.4 hands this one to SIP, 4.6 does
        # not; the plugin reads the segment itself and counts it once either way.
        self.assertEqual(["1"], rows[11]["tcp.analysis.fast_retransmission"])
        self.assertEqual(["REGISTER"] if harness.wireshark_version() < (4, 6) else [], rows[11]["sip.Method"])
        self.assertEqual([self.PHONES[0]], rows[11]["keepalive.endpoint"])
        self.assertEqual(["1"], rows[11]["keepalive.retrans.count"])
        self.assertEqual(["4"], rows[11]["keepalive.retrans.original"])
        self.assertEqual([3400 * US], [rel(v) for v in rows[11]["keepalive.retrans.gap"]])
        self.assertEqual(dict(zip(self.PHONES[:4], "1000")),
                         dict(zip(rows[12]["keepalive.endpoint"], rows[12]["keepalive.retrans.count"])))
        self.assertEqual(dict(zip(self.PHONES[4:], "00")),
                         dict(zip(rows[15]["keepalive.endpoint"], rows[15]["keepalive.retrans.count"])))
        for k in range(6):
            self.assertEqual([self.PHONES[k]], rows[16 + k]["keepalive.endpoint"])
            self.assertEqual(["12" if k < 4 else "15"], rows[16 + k]["keepalive.delivery.frame"])
            self.assertEqual(["120"], rows[16 + k]["keepalive.expires.granted"])


class MultiContact(unittest.TestCase):
    """One REGISTER, two Contacts: two bindings, each refreshed by its own grant."""
    T0 = utc("2023-06-02 14:00:00")
    OWN = "sip:4001@10.40.1.10 <sip:4001@10.40.0.21:5060>"
    COMPANION = "sip:4001@10.40.1.10 <sip:4001@10.40.0.21:5070>"

    def ok(self, k):
        return self.T0 + k * (115 * S + 15 * MS) + 15 * MS

    def test_healthy_twin_is_silent_and_times_both_bindings(self):
        cap = capture("sip-udp-multi-contact-healthy")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.annotated(self, cap))
        self.assertEqual(list(range(1, 13)), sorted(rows))
        for k in range(6):
            reg, ok = rows[2 * k + 1], rows[2 * k + 2]
            self.assertEqual([self.OWN, self.COMPANION], reg["keepalive.endpoint"])
            self.assertEqual([self.OWN, self.COMPANION], ok["keepalive.endpoint"])
            self.assertEqual(["120", "120"], ok["keepalive.expires.granted"])
            self.assertEqual([self.ok(k) + 130 * S] * 2, [absolute(v) for v in ok["keepalive.refresh.deadline"]])
            if k:
                self.assertEqual([115 * S] * 2, [rel(v) for v in reg["keepalive.refresh.interval"]])
                self.assertEqual([0, 0], [rel(v) for v in reg["keepalive.refresh.lateness"]])
                self.assertEqual([str(2 * k)] * 2, reg["keepalive.refresh.prev"])
                self.assertEqual([130 * S - (115 * S + 15 * MS)] * 2, [rel(v) for v in ok["keepalive.refresh.margin"]])

    def test_the_trimmed_contact_breaches_alone(self):
        cap = capture("sip-udp-multi-contact")
        want = [(2 * k + 1, name) for k in range(1, 6) for name in ("keepalive.grace_breach", "keepalive.refresh_late")]
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in experts))
        for _, name, msg in experts:
            if name == "keepalive.grace_breach":
                self.assertTrue(msg.endswith("registrar likely unregistered " + self.COMPANION), msg)
        rows = by_frame(harness.annotated(self, cap))
        for k in range(6):
            ok = rows[2 * k + 2]
            self.assertEqual(["120", "60"], ok["keepalive.expires.granted"])
            self.assertEqual([self.ok(k) + 115 * S, self.ok(k) + 55 * S],
                             [absolute(v) for v in ok["keepalive.refresh.expected"]])
            self.assertEqual([self.ok(k) + 130 * S, self.ok(k) + 70 * S],
                             [absolute(v) for v in ok["keepalive.refresh.deadline"]])
            if not k:
                continue
            reg = rows[2 * k + 1]
            # The own binding's refresh, the companion's breach (45 s past OK_(k-1) + 70 s), then
            # its refresh, 115 s - 55 s = 60 s late.
            self.assertEqual([self.OWN, self.COMPANION, self.COMPANION], reg["keepalive.endpoint"])
            self.assertEqual([0, 60 * S], [rel(v) for v in reg["keepalive.refresh.lateness"]])
            self.assertEqual([45 * S], [rel(v) for v in reg["keepalive.grace.overrun"]])
            self.assertEqual([130 * S - (115 * S + 15 * MS), 70 * S - (115 * S + 15 * MS)],
                             [rel(v) for v in ok["keepalive.refresh.margin"]])


class ProxyHops(unittest.TestCase):
    """Captured on a proxy: the phone's REGISTER and the proxy's copy to the registrar share
    Call-ID and CSeq; each hop is a binding of its own, answered by the 200 OK sent back to it."""

    def test_two_hops_two_bindings_silent(self):
        cap = capture("sip-udp-proxy-hops")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.annotated(self, cap))
        self.assertEqual(list(range(1, 25)), sorted(rows))
        t0 = utc("2023-06-05 09:00:00")
        for k in range(6):
            r = t0 + k * (115 * S + 11 * MS)
            phone, fwd, ok_reg, ok_phone = (rows[4 * k + i] for i in range(1, 5))
            for row in (phone, fwd, ok_reg, ok_phone):
                self.assertEqual(["sip:5021@example.net"], row["keepalive.endpoint"])
                self.assertEqual(["0"], row["keepalive.retrans.count"])
            for row in (phone, ok_phone):
                self.assertEqual(["10.50.0.2:5060/udp"], row["keepalive.server"])
            for row in (fwd, ok_reg):
                self.assertEqual(["10.50.1.10:5060/udp"], row["keepalive.server"])
            self.assertEqual(["120"], ok_reg["keepalive.expires.granted"])
            self.assertEqual(["120"], ok_phone["keepalive.expires.granted"])
            self.assertEqual([r + 10 * MS + 130 * S], [absolute(v) for v in ok_reg["keepalive.refresh.deadline"]])
            self.assertEqual([r + 11 * MS + 130 * S], [absolute(v) for v in ok_phone["keepalive.refresh.deadline"]])
            if not k:
                continue
            self.assertEqual([115 * S], [rel(v) for v in phone["keepalive.refresh.interval"]])
            self.assertEqual([0], [rel(v) for v in phone["keepalive.refresh.lateness"]])
            self.assertEqual([115 * S + 2 * MS], [rel(v) for v in fwd["keepalive.refresh.interval"]])
            self.assertEqual([2 * MS], [rel(v) for v in fwd["keepalive.refresh.lateness"]])
            self.assertEqual([str(4 * k - 1)], fwd["keepalive.refresh.prev"])
            self.assertEqual([str(4 * k)], phone["keepalive.refresh.prev"])
            self.assertEqual([14989 * MS], [rel(v) for v in ok_reg["keepalive.refresh.margin"]])
            self.assertEqual([14989 * MS], [rel(v) for v in ok_phone["keepalive.refresh.margin"]])


class LinkLayers(unittest.TestCase):
    """The library check scenarios: Linux cooked capture with IPv4 and IPv6, raw IP with SIP over
    TCP/IPv6 split across segments and two responses in one segment."""

    def test_sll_ipv4_ipv6_auth_and_backup(self):
        cap = capture("lib-sip-sll-auth")
        experts = harness.experts_both_passes(self, cap)
        # Frame 6: the backup keepalive; frame 9: the IPv6 REGISTER sent again (SIP resend).
        self.assertEqual([(6, "keepalive.backup_keepalive"), (9, "keepalive.retransmission")],
                         [(n, e) for n, e, _ in experts])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.server", "keepalive.role", "keepalive.refresh.number",
                        "keepalive.retrans.count", "keepalive.expires.granted", "keepalive.refresh.expected"],
            "keepalive"))
        self.assertEqual(list(range(1, 13)), sorted(rows))
        t0 = utc("2023-05-13 12:00:00")
        for n in range(1, 6):
            self.assertEqual(["10.40.0.1:5060/udp"], rows[n]["keepalive.server"])
            self.assertEqual(["1"], rows[n]["keepalive.refresh.number"])  # 401 + retry: one attempt
        self.assertEqual(["0"], rows[2]["keepalive.retrans.count"])  # 100 Trying: the delivery
        # The 200 OK lists this phone's contact (expires=120) and another device's (expires=45).
        self.assertEqual(["120"], rows[5]["keepalive.expires.granted"])
        self.assertEqual([t0 + 15 * MS + 115 * S], [absolute(v) for v in rows[5]["keepalive.refresh.expected"]])
        self.assertEqual(["backup"], rows[6]["keepalive.role"])
        self.assertEqual(["10.40.0.2:5060/udp"], rows[6]["keepalive.server"])
        for n in range(8, 13):
            self.assertEqual(["[2001:db8:40::3]:5060/udp"], rows[n]["keepalive.server"])
        self.assertEqual(["1"], rows[10]["keepalive.retrans.count"])  # the 407 delivers: total 1

    RAW_FIELDS = ["frame.number", "keepalive.server", "keepalive.refresh.number", "keepalive.retrans.count",
                  "keepalive.expires.granted", "keepalive.refresh.expected"]

    def test_raw_ip_tcp6_split_and_combined(self):
        cap = capture("lib-rawip-sip-tcp6")
        self.assertEqual([], [e for e in harness.experts_both_passes(self, cap) if e[1] != "keepalive.endpoint_unregistered"])
        rows = by_frame(harness.fields_both_passes(self, cap, self.RAW_FIELDS, "keepalive && sip"))
        # Frame 5 completes the REGISTER; frame 6 carries 100 Trying (the delivery) and 200 OK.
        self.assertEqual([5, 6], sorted(rows))
        self.assertEqual(["[2001:db8:50::1]:5060/tcp"] * 2, rows[6]["keepalive.server"])
        self.assertEqual(["0"], rows[6]["keepalive.retrans.count"])
        self.assertEqual(["600"], rows[6]["keepalive.expires.granted"])
        t_ok = utc("2023-05-14 18:00:00.003000125")
        self.assertEqual([t_ok + 595 * S], [absolute(v) for v in rows[6]["keepalive.refresh.expected"]])


if __name__ == "__main__":
    harness.main()
