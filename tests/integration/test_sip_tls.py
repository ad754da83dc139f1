#!/usr/bin/env python3
"""Issue 3, SIP over decrypted TLS (scenarios sip-tls-healthy, sip-tls-retransmission and
sip-tls-split-record): with the scenario's key log Wireshark decrypts the records on port 5061 and
hands them to SIP, and the plugin must time every refresh as it does over TCP; without the key log
it must stay silent. Every value comes from the scenario's parameters; every assertion holds in a
single pass and with -2."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sip_expect import MS, S, US, absolute, by_frame, first_frame_after, rel, utc  # noqa: E402

SERVER = "178.215.139.22:5061/tls"
GRANT, DELTA, GRACE = 120, 5, 15


def capture(name):
    return os.path.join(harness.GENERATED, name + ".pcap")


def decrypting(name):
    """tshark runs inside decrypt with the scenario's key log."""
    return harness.decrypting(os.path.join(harness.GENERATED, name + ".keys"))


def setup_events(t0):
    """TCP handshake, then ClientHello, ServerHello + ServerHelloDone, ClientKeyExchange + CCS +
    Finished, CCS + Finished: the same in every scenario."""
    return [(t0 - 40 * MS, "syn"), (t0 - 39 * MS, "syn-ack"), (t0 - 38900 * US, "ack"),
            (t0 - 38800 * US, "client-hello"), (t0 - 37 * MS, "server-hello"),
            (t0 - 20 * MS, "client-finished"), (t0 - 10 * MS, "server-finished")]


def numbered(events):
    """Events (time, label) -> {label: frame number}, times in file order: the generator writes
    frames sorted by time, ties in insertion order."""
    order = sorted(range(len(events)), key=lambda i: (events[i][0], i))
    return {events[i][1]: n + 1 for n, i in enumerate(order)}, [events[i][0] for i in order]


class Scenario:
    """Attempts of a scenario: per attempt the first transmission R, the retransmission offsets
    (the last one delivered), and derived times: delivery D (CUCM's ACK), the 200 OK.

    With `split`, each REGISTER's record goes in two segments that far apart: the first ("head%d")
    at R, the second ("reg%d", where Wireshark decrypts the record and the REGISTER is read) at
    R + split. Retransmissions resend the first; a REGISTER whose first is not lost is delivered
    with the second."""

    def __init__(self, t0, device, retransmissions, split=None):
        self.device = device
        self.events = setup_events(t0)
        self.attempts = []
        r = t0
        for k, resend in enumerate(retransmissions):
            read = r + (split or 0)
            sent = r + resend[-1] if resend else read
            a = {"first": r, "read": read, "resend": [r + o for o in resend], "delivery": sent + 300 * US,
                 "ok": sent + 12 * MS, "original": "head%d" % k if split is not None else "reg%d" % k}
            if split is not None:
                self.events.append((r, "head%d" % k))
            self.events.append((read, "reg%d" % k))
            self.events += [(t, "re%d.%d" % (k, i + 1)) for i, t in enumerate(a["resend"])]
            self.events += [(a["delivery"], "ack%d" % k), (a["ok"], "ok%d" % k), (sent + 12200 * US, "phone-ack%d" % k)]
            self.attempts.append(a)
            r = a["ok"] + (GRANT - DELTA) * S
        self.frame, self.times = numbered(self.events)

    def expected(self, k):
        return self.attempts[k - 1]["ok"] + (GRANT - DELTA) * S

    def deadline(self, k):
        return self.expected(k) + GRACE * S


class TlsCase:
    """Checks shared by both scenarios (a mixin: not a test case of its own)."""
    NAME = None
    EVENTS = None  # frames the scenario generates

    def test_frames_decrypt(self):
        sc = self.scenario()
        self.assertEqual(self.EVENTS, len(sc.events))
        with decrypting(self.NAME):
            self.decoded_sip(sc)

    def decoded_sip(self, sc):
        """Wireshark itself decrypts every REGISTER and 200 OK (the capture is usable at all)."""
        rows = by_frame(harness.fields_both_passes(
            self, capture(self.NAME), ["frame.number", "sip.Method", "sip.Status-Code", "sip.CSeq.seq"], "sip"))
        want = {}
        for k in range(len(sc.attempts)):
            want[sc.frame["reg%d" % k]] = (["REGISTER"], [], [str(k + 1)])
            want[sc.frame["ok%d" % k]] = ([], ["200"], [str(k + 1)])
        self.assertEqual(want, {n: (r["sip.Method"], r["sip.Status-Code"], r["sip.CSeq.seq"]) for n, r in rows.items()})

    def check_attempts(self, sc, rows):
        for k, a in enumerate(sc.attempts):
            reg, ack, ok = rows[sc.frame["reg%d" % k]], rows[sc.frame["ack%d" % k]], rows[sc.frame["ok%d" % k]]
            for r in (reg, ack, ok):
                self.assertEqual([sc.device], r["keepalive.endpoint"][:1])
                self.assertEqual([SERVER], r["keepalive.server"][:1])
            for r in (reg, ok):
                self.assertEqual(["primary"], r["keepalive.role"][:1])
            self.assertEqual(["0"], reg["keepalive.retrans.count"])
            self.assertEqual([str(len(a["resend"]))], ack["keepalive.retrans.count"])
            self.assertEqual(["120"], ok["keepalive.expires.granted"])
            self.assertEqual([a["ok"] + (GRANT - DELTA) * S], [absolute(v) for v in ok["keepalive.refresh.expected"]])
            self.assertEqual([a["ok"] + (GRANT - DELTA + GRACE) * S],
                             [absolute(v) for v in ok["keepalive.refresh.deadline"]])
            for i, t in enumerate(a["resend"]):
                rt = rows[sc.frame["re%d.%d" % (k, i + 1)]]
                self.assertEqual([str(i + 1)], rt["keepalive.retrans.count"][:1])
                self.assertEqual([str(sc.frame[a["original"]])], rt["keepalive.retrans.original"])
                # The first retransmission's gap runs from where the REGISTER was read.
                prev = a["resend"][i - 1] if i else a["read"]
                self.assertEqual([t - prev], [rel(v) for v in rt["keepalive.retrans.gap"]])
            if k == 0:
                self.assertEqual([], reg["keepalive.refresh.expected"])
                self.assertEqual([], ack["keepalive.refresh.margin"])
                continue
            prev_ok = sc.attempts[k - 1]["ok"]
            self.assertEqual([sc.expected(k)], [absolute(v) for v in reg["keepalive.refresh.expected"]])
            self.assertEqual([sc.deadline(k)], [absolute(v) for v in reg["keepalive.refresh.deadline"]])
            self.assertEqual([a["read"] - prev_ok], [rel(v) for v in reg["keepalive.refresh.interval"]])
            self.assertEqual([a["read"] - sc.expected(k)], [rel(v) for v in reg["keepalive.refresh.lateness"]])
            self.assertEqual([str(sc.frame["ok%d" % (k - 1)])], reg["keepalive.refresh.prev"])
            self.assertEqual([sc.deadline(k) - a["delivery"]], [rel(v) for v in ack["keepalive.refresh.margin"]])

    def test_silent_without_the_key_log(self):
        # Undecryptable records (and, in the retransmission scenario, TCP retransmissions of them)
        # are nobody's REGISTER: no annotation, no expert.
        self.assertEqual([], harness.experts_both_passes(self, capture(self.NAME)))
        self.assertEqual([], harness.annotated(self, capture(self.NAME)))


class Healthy(TlsCase, unittest.TestCase):
    """A phone refreshing on time over TLS: every refresh timed, nothing raised."""
    NAME = "sip-tls-healthy"
    EVENTS = 39

    def scenario(self):
        return Scenario(utc("2023-05-17 09:00:00"), "SEP001B54C28A78", [[]] * 8)

    def test_every_refresh_timed_and_nothing_raised(self):
        sc = self.scenario()
        with decrypting(self.NAME):
            self.assertEqual([], harness.experts_both_passes(self, capture(self.NAME)))
            rows = by_frame(harness.annotated(self, capture(self.NAME)))
        # The REGISTER, CUCM's ACK (delivery) and the 200 OK of each refresh; not the TCP/TLS
        # handshake, nor the phone's ACKs.
        self.assertEqual(sorted(sc.frame["%s%d" % (p, k)] for p in ("reg", "ack", "ok") for k in range(8)), sorted(rows))
        self.check_attempts(sc, rows)
        for k in range(1, 8):
            self.assertEqual([115 * S], [rel(v) for v in rows[sc.frame["reg%d" % k]]["keepalive.refresh.interval"]])
            self.assertEqual([0], [rel(v) for v in rows[sc.frame["reg%d" % k]]["keepalive.refresh.lateness"]])
            self.assertEqual([15 * S - 300 * US], [rel(v) for v in rows[sc.frame["ack%d" % k]]["keepalive.refresh.margin"]])


class Retransmission(TlsCase, unittest.TestCase):
    """Attempt 2 loses its first record once; attempt 4 loses it through a 25 s outage and the
    retransmission that gets through arrives after the grace window."""
    NAME = "sip-tls-retransmission"
    EVENTS = 38
    BACKOFF = [400 * MS, 1200 * MS, 2800 * MS, 6000 * MS, 12400 * MS, 25200 * MS]

    def scenario(self):
        return Scenario(utc("2023-05-18 11:00:00"), "SEP001B54C28A79",
                        [[], [], [410 * MS], [], self.BACKOFF, []])

    def test_experts(self):
        sc = self.scenario()
        with decrypting(self.NAME):
            got = harness.experts_both_passes(self, capture(self.NAME))
        breach = first_frame_after(sc.times, sc.deadline(4))
        # The first frame past attempt 4's deadline is its 6th retransmission (the 5th is 12.4 s in).
        self.assertEqual(sc.frame["re4.6"], breach)
        want = [(sc.frame["re2.1"], "keepalive.retransmission")]
        want += [(sc.frame["re4.%d" % i], "keepalive.retransmission") for i in range(1, 7)]
        want.append((breach, "keepalive.grace_breach"))
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in got))

    def test_every_timing_field(self):
        sc = self.scenario()
        with decrypting(self.NAME):
            rows = by_frame(harness.annotated(self, capture(self.NAME)))
        self.check_attempts(sc, rows)
        # Every refresh starts on time: lateness 0 (a breach by retransmission, not a late phone).
        for k in range(1, 6):
            self.assertEqual([0], [rel(v) for v in rows[sc.frame["reg%d" % k]]["keepalive.refresh.lateness"]])
        # Attempt 2: one retransmission 410 ms in; CUCM's ACK 0.3 ms later leaves 15 - 0.4103 s.
        self.assertEqual([410 * MS], [rel(v) for v in rows[sc.frame["re2.1"]]["keepalive.retrans.gap"]])
        self.assertEqual([14589700 * US], [rel(v) for v in rows[sc.frame["ack2"]]["keepalive.refresh.margin"]])
        # Attempt 4: back-off gaps 0.4, 0.8, 1.6, 3.2, 6.4, 12.8 s; delivered 25.2 s after the
        # first transmission, 10.2 s past the deadline (first transmission + 15 s).
        self.assertEqual([400 * MS, 800 * MS, 1600 * MS, 3200 * MS, 6400 * MS, 12800 * MS],
                         [rel(rows[sc.frame["re4.%d" % i]]["keepalive.retrans.gap"][0]) for i in range(1, 7)])
        breach = rows[sc.frame["re4.6"]]
        self.assertEqual([sc.attempts[4]["resend"][-1] - sc.deadline(4)],
                         [rel(v) for v in breach["keepalive.grace.overrun"]])
        self.assertEqual([10200 * MS], [rel(v) for v in breach["keepalive.grace.overrun"]])
        self.assertEqual([-10200300 * US], [rel(v) for v in rows[sc.frame["ack4"]]["keepalive.refresh.margin"]])
        # Only the refreshes' frames are annotated.
        want = [sc.frame["%s%d" % (p, k)] for p in ("reg", "ack", "ok") for k in range(6)]
        want += [sc.frame[label] for _, label in sc.events if label.startswith("re") and "." in label]
        self.assertEqual(sorted(want), sorted(rows))



class SplitRecord(TlsCase, unittest.TestCase):
    """Each REGISTER is one record sent in two segments, 1,460 bytes and the rest, 120 us apart.
    Attempt 1 loses the first segment once, attempt 3 twice; the second always arrives and waits
    behind the hole. Resending the first segment is resending the REGISTER, the segment that began
    the record its first transmission, and CUCM's one ACK after it delivers the whole record."""
    NAME = "sip-tls-split-record"
    EVENTS = 30
    SPLIT = 120 * US
    RESEND = [[], [400 * MS], [], [400 * MS, 1200 * MS]]
    HEALTHY = (0, 2)

    def scenario(self):
        return Scenario(utc("2023-05-19 08:00:00"), "SEP001B54C28A7A", self.RESEND, split=self.SPLIT)

    def test_frame_numbers(self):
        # The model's frame order against the scenario's header comment.
        sc = self.scenario()
        self.assertEqual((8, 9, 10), (sc.frame["head0"], sc.frame["reg0"], sc.frame["ack0"]))
        self.assertEqual((13, 14, 15, 16), (sc.frame["head1"], sc.frame["reg1"], sc.frame["re1.1"], sc.frame["ack1"]))
        self.assertEqual((19, 20, 21), (sc.frame["head2"], sc.frame["reg2"], sc.frame["ack2"]))
        self.assertEqual((24, 25, 26, 27, 28), (sc.frame["head3"], sc.frame["reg3"], sc.frame["re3.1"],
                                                sc.frame["re3.2"], sc.frame["ack3"]))

    def test_experts(self):
        # A note on each retransmission of a first segment, nothing else: no loss pattern (no two
        # attempts in a row lose), no late refresh, no breach.
        sc = self.scenario()
        with decrypting(self.NAME):
            got = harness.experts_both_passes(self, capture(self.NAME))
        want = [(sc.frame["re%d.%d" % (k, i + 1)], "keepalive.retransmission")
                for k, resend in enumerate(self.RESEND) for i in range(len(resend))]
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in got))

    def test_every_timing_field(self):
        sc = self.scenario()
        with decrypting(self.NAME):
            rows = by_frame(harness.annotated(self, capture(self.NAME)))
        self.check_attempts(sc, rows)
        # The REGISTER is timed where it is read, in its second segment: 120 us past the expected time.
        for k in range(1, 4):
            self.assertEqual([self.SPLIT], [rel(v) for v in rows[sc.frame["reg%d" % k]]["keepalive.refresh.lateness"]])
        # The retransmissions name the segment that began the record, and count on.
        for label, original, count in (("re1.1", "head1", 1), ("re3.1", "head3", 1), ("re3.2", "head3", 2)):
            self.assertEqual([str(sc.frame[original])], rows[sc.frame[label]]["keepalive.retrans.original"])
            self.assertEqual([str(count)], rows[sc.frame[label]]["keepalive.retrans.count"])
        # Their gaps: from the second segment 400 ms - 120 us, then 1.2 - 0.4 s.
        self.assertEqual([399880 * US], [rel(v) for v in rows[sc.frame["re1.1"]]["keepalive.retrans.gap"]])
        self.assertEqual([399880 * US], [rel(v) for v in rows[sc.frame["re3.1"]]["keepalive.retrans.gap"]])
        self.assertEqual([800 * MS], [rel(v) for v in rows[sc.frame["re3.2"]]["keepalive.retrans.gap"]])
        # Delivered by CUCM's ACK 0.3 ms after the record is whole, deadline R + 15 s:
        # 15 - 0.4003 s, 15 - 1.2003 s; a healthy attempt 15 s - 120 us - 300 us.
        margin = {k: [rel(v) for v in rows[sc.frame["ack%d" % k]]["keepalive.refresh.margin"]] for k in range(1, 4)}
        self.assertEqual({1: [14599700 * US], 2: [14999580 * US], 3: [13799700 * US]}, margin)
        self.assertEqual(["1"], rows[sc.frame["ack1"]]["keepalive.retrans.count"])
        self.assertEqual(["2"], rows[sc.frame["ack3"]]["keepalive.retrans.count"])
        # The healthy attempts resend nothing: no retransmission on any of their frames.
        for k in self.HEALTHY:
            for label in ("head", "reg", "ack", "ok", "phone-ack"):
                r = rows.get(sc.frame["%s%d" % (label, k)], {})
                self.assertEqual([], r.get("keepalive.retrans.original", []))
                self.assertEqual([], r.get("keepalive.retrans.gap", []))
                self.assertIn(r.get("keepalive.retrans.count", []), ([], ["0"]))
        # The REGISTER's, CUCM's ACK's and the 200 OK's frames, and the retransmissions; not the
        # first segments, which hold no whole record.
        want = [sc.frame["%s%d" % (p, k)] for p in ("reg", "ack", "ok") for k in range(4)]
        want += [sc.frame[label] for _, label in sc.events if label.startswith("re") and "." in label]
        self.assertEqual(sorted(want), sorted(rows))

    def test_delivery_not_held(self):
        # The retransmission that completes the record is the REGISTER's own, not earlier bytes it
        # waited behind: no delivery names it.
        with decrypting(self.NAME):
            rows = harness.fields_both_passes(self, capture(self.NAME), ["frame.number", "keepalive.delivery.held_by"],
                                              "keepalive")
        self.assertEqual([], [r["frame.number"] for r in rows if r["keepalive.delivery.held_by"]])


if __name__ == "__main__":
    harness.main()
