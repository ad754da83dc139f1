#!/usr/bin/env python3
"""SPEC §2.5 case study B (scenario sip-tcp-case-study-b): every value derived from the
scenario's table; single pass and -2; and the preferences that change the verdicts."""
# SPDX-License-Identifier: GPL-2.0-or-later
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sip_expect import MS, S, US, absolute, by_frame, first_frame_after, forecast, group_lines, rel, utc  # noqa: E402

CAPTURE = os.path.join(harness.GENERATED, "sip-tcp-case-study-b.pcap")
DEVICE = "SEPA44C118F2E61"
SERVER = "178.215.139.22:5060/tcp"
TABLE = [  # first tx, retransmission (= first tx: none), 200 OK
    ("22:56:17.457226", "22:56:17.457226", "22:56:17.473815"),
    ("22:58:12.474709", "22:58:12.892520", "22:58:12.909452"),
    ("23:00:07.909779", "23:00:08.747602", "23:00:08.764030"),
    ("23:02:03.764972", "23:02:05.457251", "23:02:05.459023"),
    ("23:04:00.460122", "23:04:03.832323", "23:04:03.834726"),
    ("23:05:58.836796", "23:06:05.532734", "23:06:05.569232"),
]
GRANT = 120


def attempts():
    """Rows 1-8 of the scenario as (first, retransmission or None, ok) in ns."""
    rows = [tuple(utc("2023-05-09 " + t) for t in r) for r in TABLE]
    for _ in range(2):  # rows 7 and 8: previous OK + 115 s, doubled gap, row 6's OK delay
        first, retrans, ok = rows[-1]
        start = ok + 115 * S
        gap = 2 * (retrans - first)
        rows.append((start, start + gap, start + gap + (ok - retrans)))
    return [(f, None if r == f else r, ok) for f, r, ok in rows]


def frames(rows):
    """Frame numbers (first, retransmission, ok) per row and every frame's time in file order."""
    numbers, times = [], []
    first0 = rows[0][0]
    times += [first0 - 2 * MS, first0 - 1 * MS, first0 - 900 * US]
    for first, retrans, ok in rows:
        n = len(times) + 1
        times.append(first)
        if retrans is not None:
            times.append(retrans)
        times += [ok, ok + 200 * US]
        numbers.append((n, n + 1 if retrans is not None else None, n + (2 if retrans is not None else 1)))
    return numbers, times


class CaseStudyB(unittest.TestCase):
    def expectations(self, delta=5, grace=15, tolerance_ms=1000, loss_min=3):
        """Experts SPEC §3 implies for the scenario under these preferences: {(frame, name): fields}."""
        rows = attempts()
        numbers, times = frames(rows)
        out = {}
        loss_run, growth, prev_gap = 0, 0, 0
        for i in range(1, len(rows)):
            first, retrans, ok = rows[i]
            f_first, f_retrans, f_ok = numbers[i]
            prev_ok = rows[i - 1][2]
            expected = prev_ok + (GRANT - delta) * S
            deadline = expected + grace * S
            if first - expected > tolerance_ms * MS:
                out[(f_first, "keepalive.refresh_late")] = {"lateness": first - expected}
            if retrans is not None:
                out[(f_retrans, "keepalive.retransmission")] = {"gap": retrans - first}
                loss_run += 1
                if loss_run >= loss_min:
                    idle = first - (prev_ok + 200 * US)  # the phone's ACK of the previous 200 OK
                    out[(f_retrans, "keepalive.loss_pattern")] = {"consecutive": loss_run, "idle": idle}
            else:
                loss_run = 0
            breached = ok > deadline  # the 200 OK carries CUCM's ACK: it is the delivery
            if breached:
                f_breach = first_frame_after(times, deadline)
                out[(f_breach, "keepalive.grace_breach")] = {"overrun": times[f_breach - 1] - deadline}
            gap = (retrans - first) if retrans is not None else 0
            growth = growth + 1 if gap > 0 and prev_gap > 0 and 2 * gap >= 3 * prev_gap else 0
            if growth >= 3 and not breached:
                f = forecast(gap, prev_gap, ok + (GRANT - delta) * S, grace * S, (GRANT - delta) * S, first - expected)
                if f:
                    out[(f_ok, "keepalive.breach_forecast")] = {"refreshes": f[0], "time": f[1], "gap": f[2]}
            prev_gap = gap
        return out

    def check(self, prefs=None, **kw):
        want = self.expectations(**kw)
        got = harness.experts_both_passes(self, CAPTURE, prefs)
        self.assertEqual(sorted(want), sorted((n, name) for n, name, _ in got))
        rows = by_frame(harness.fields_both_passes(
            self, CAPTURE, ["frame.number", "keepalive.refresh.lateness", "keepalive.retrans.gap",
                            "keepalive.loss.consecutive", "keepalive.loss.idle", "keepalive.grace.overrun",
                            "keepalive.forecast.refreshes", "keepalive.forecast.time", "keepalive.forecast.gap"],
            "keepalive", prefs))
        for (frame, name), v in want.items():
            r = rows[frame]
            if name == "keepalive.refresh_late":
                self.assertEqual([v["lateness"]], [rel(x) for x in r["keepalive.refresh.lateness"]])
            elif name == "keepalive.retransmission":
                self.assertEqual([v["gap"]], [rel(x) for x in r["keepalive.retrans.gap"]])
            elif name == "keepalive.loss_pattern":
                self.assertEqual([str(v["consecutive"])], r["keepalive.loss.consecutive"])
                self.assertEqual([v["idle"]], [rel(x) for x in r["keepalive.loss.idle"]])
            elif name == "keepalive.grace_breach":
                self.assertEqual([v["overrun"]], [rel(x) for x in r["keepalive.grace.overrun"]])
            elif name == "keepalive.breach_forecast":
                self.assertEqual([str(v["refreshes"])], r["keepalive.forecast.refreshes"])
                self.assertAlmostEqual(v["time"], absolute(r["keepalive.forecast.time"][0]), delta=2)
                self.assertAlmostEqual(v["gap"], rel(r["keepalive.forecast.gap"][0]), delta=2)
        return want

    def test_experts_with_default_preferences(self):
        want = self.check()
        # The story of SPEC §2.5: forecasts on rows 5, 6, 7 (3, 2, 1 refreshes ahead), a loss
        # pattern from row 4, exactly one breach: row 8's retransmission, the first frame past
        # its deadline.
        numbers, _ = frames(attempts())
        self.assertEqual([(numbers[r][2], 3 - (r - 4)) for r in (4, 5, 6)],
                         sorted((f, v["refreshes"]) for (f, n), v in want.items() if n == "keepalive.breach_forecast"))
        self.assertEqual([numbers[7][1]], [f for (f, n) in want if n == "keepalive.grace_breach"])
        self.assertEqual(7, sum(1 for (_, n) in want if n == "keepalive.retransmission"))
        self.assertEqual(5, sum(1 for (_, n) in want if n == "keepalive.loss_pattern"))

    def test_wireshark_decides_what_is_sip(self):
        # The registrar's port decoded as another protocol, or SIP disabled: Wireshark sees no SIP
        # on the connection, and neither does the analysis (as over UDP).
        for extra in (["-d", "tcp.port==5060,http"], ["--disable-protocol", "sip"]):
            with harness.extra_args(extra):
                self.assertEqual(harness.annotated(self, CAPTURE), [], extra)

    def test_every_timing_field(self):
        rows = attempts()
        numbers, _ = frames(rows)
        got = by_frame(harness.annotated(self, CAPTURE))
        for i, (first, retrans, ok) in enumerate(rows):
            f_first, f_retrans, f_ok = numbers[i]
            for f in (f_first, f_ok):
                self.assertEqual([DEVICE], got[f]["keepalive.endpoint"][:1])
                self.assertEqual([SERVER], got[f]["keepalive.server"][:1])
                self.assertEqual(["primary"], got[f]["keepalive.role"][:1])
            reg = got[f_first]
            self.assertEqual(["0"], reg["keepalive.retrans.count"])
            if i == 0:
                self.assertEqual([], reg["keepalive.refresh.expected"])
            else:
                prev_ok = rows[i - 1][2]
                self.assertEqual([prev_ok + 115 * S], [absolute(v) for v in reg["keepalive.refresh.expected"]])
                self.assertEqual([prev_ok + 130 * S], [absolute(v) for v in reg["keepalive.refresh.deadline"]])
                self.assertEqual([first - prev_ok], [rel(v) for v in reg["keepalive.refresh.interval"]])
                self.assertEqual([first - prev_ok - 115 * S], [rel(v) for v in reg["keepalive.refresh.lateness"]])
                self.assertEqual([str(numbers[i - 1][2])], reg["keepalive.refresh.prev"])
            if retrans is not None:
                rt = got[f_retrans]
                self.assertEqual(["1"], rt["keepalive.retrans.count"][:1])
                self.assertEqual([str(f_first)], rt["keepalive.retrans.original"])
                self.assertEqual([retrans - first], [rel(v) for v in rt["keepalive.retrans.gap"]])
            resp = got[f_ok]
            self.assertEqual(["120"], resp["keepalive.expires.granted"])
            self.assertEqual([ok + 115 * S], [absolute(v) for v in resp["keepalive.refresh.expected"]])
            self.assertEqual([ok + 130 * S], [absolute(v) for v in resp["keepalive.refresh.deadline"]])
            self.assertEqual(["1" if retrans is not None else "0"], resp["keepalive.retrans.count"])
            if i == 0:
                self.assertEqual([], resp["keepalive.refresh.margin"])
            else:
                self.assertEqual([rows[i - 1][2] + 130 * S - ok], [rel(v) for v in resp["keepalive.refresh.margin"]])
        # The phone's ACKs and the handshake are not part of any refresh.
        self.assertEqual(sorted(n for t in numbers for n in t if n), sorted(got))

    def test_summary_line(self):
        numbers, _ = frames(attempts())
        out = harness.tshark(["-Y", "frame.number == %d" % numbers[5][2], "-V"], capture=CAPTURE)
        self.assertIn("Keepalive Analysis: %s refresh 6, margin 8.3 s, 1 retransmission" % DEVICE, out)

    def test_tree_keeps_the_next_refresh_apart(self):
        """On a 2xx the margin is the attempt's, against the previous deadline; the expected time
        and deadline it sets are the next refresh's, in a group of their own."""
        rows = attempts()
        numbers, _ = frames(rows)
        first, ok = numbers[4][0], numbers[4][2]  # row 5: its first REGISTER and its 200 OK
        clock = lambda ns: "%s.%09d UTC" % (time.strftime("%H:%M:%S", time.gmtime(ns // S)), ns % S)
        for two_pass in (False, True):
            out = harness.tshark(["-Y", "frame.number == %d || frame.number == %d" % (first, ok), "-O", "keepalive"],
                                 capture=CAPTURE, two_pass=two_pass)
            groups = [group_lines(f) for f in ("\n" + out).split("\nFrame ")[1:]]
            self.assertEqual(clock(rows[3][2] + 115 * S), groups[0]["Timing"]["Refresh expected"][-22:])
            self.assertNotIn("Next refresh, from this grant", groups[0])
            self.assertEqual(["Refresh number", "Margin"], list(groups[1]["Timing"]))
            self.assertEqual("%.9f seconds" % ((rows[3][2] + 130 * S - rows[4][2]) / S), groups[1]["Timing"]["Margin"])
            nxt = groups[1]["Next refresh, from this grant"]
            self.assertEqual(["Granted expiry", "Refresh expected", "Refresh deadline"], list(nxt))
            self.assertEqual(clock(rows[4][2] + 115 * S), nxt["Refresh expected"][-22:])
            self.assertEqual(clock(rows[4][2] + 130 * S), nxt["Refresh deadline"][-22:])

    def test_json_selects_a_group(self):
        """Each group is a named item (as TCP's tcp.analysis is): tshark -j keeps the one asked for
        with its fields and leaves the others filtered out."""
        rows = attempts()
        numbers, _ = frames(rows)
        ok = numbers[4][2]  # row 5's 200 OK: the margin it ends, the next refresh it sets
        for two_pass in (False, True):
            out = harness.tshark(["-Y", "frame.number == %d" % ok, "-T", "json", "-j", "keepalive keepalive.next_refresh"],
                                 capture=CAPTURE, two_pass=two_pass)
            trees = []  # every keepalive item of the frame: JSON objects with duplicate keys

            def collect(pairs):
                trees.extend(v for k, v in pairs if k == "keepalive")
                return dict(pairs)
            json.loads(out, object_pairs_hook=collect)
            self.assertEqual(1, len(trees))
            self.assertEqual({"filtered": "keepalive.timing"}, trees[0]["keepalive.timing"])
            nxt = trees[0]["keepalive.next_refresh"]
            self.assertEqual(["keepalive.expires.granted", "keepalive.refresh.expected", "keepalive.refresh.deadline"],
                             list(nxt))
            self.assertEqual("120", nxt["keepalive.expires.granted"])
            self.assertEqual(rows[4][2] + 115 * S, absolute(nxt["keepalive.refresh.expected"]))
            self.assertEqual(rows[4][2] + 130 * S, absolute(nxt["keepalive.refresh.deadline"]))
            # A group is a field of its own for filters too.
            self.assertEqual(str(ok), harness.tshark(["-Y", "keepalive.next_refresh && frame.number == %d" % ok, "-T", "fields",
                                                      "-e", "frame.number"], capture=CAPTURE, two_pass=two_pass).strip())

    def test_grace_window_preference(self):
        want = self.check({"grace_window": "30"}, grace=30)
        self.assertFalse([k for k in want if k[1] == "keepalive.grace_breach"])

    def test_refresh_delta_preference(self):
        want = self.check({"refresh_delta": "10"}, delta=10)
        self.assertEqual(7, sum(1 for k in want if k[1] == "keepalive.refresh_late"))
        self.assertEqual(2, sum(1 for k in want if k[1] == "keepalive.grace_breach"))

    def test_late_tolerance_preference(self):
        want = self.check({"late_tolerance_ms": "0"}, tolerance_ms=0)
        numbers, _ = frames(attempts())
        # Rows 2-6 start a few hundred microseconds late; rows 7-8 exactly on time.
        self.assertEqual([numbers[i][0] for i in range(1, 6)], sorted(f for f, n in want if n == "keepalive.refresh_late"))

    def test_loss_pattern_preference(self):
        want = self.check({"loss_pattern_min": "5"}, loss_min=5)
        self.assertEqual(3, sum(1 for k in want if k[1] == "keepalive.loss_pattern"))


    def test_a_read_filter_moves_what_it_drops_onto_the_next_frame_kept(self):
        """`-2 -R sip` keeps the REGISTERs and 200 OKs. Wireshark runs the read filter after the
        dissection, and numbers a dropped record as the next one it keeps: the analysis sees every
        record, and what it reported on a dropped one (the retransmissions, the loss patterns, the
        breach) is shown on the next frame kept, none lost. (tshark has no read filter in a single
        pass: -R needs -2.)"""
        want = self.expectations()
        numbers, times = frames(attempts())
        kept = sorted(n for first, _, ok in numbers for n in (first, ok))
        new = lambda f: 1 + sum(1 for k in kept if k < f)
        with harness.extra_args(["-R", "sip"]):
            got = harness.experts(CAPTURE, two_pass=True)
            rows = by_frame(harness.fields(CAPTURE, ["frame.number", "keepalive.retrans.original"], "keepalive",
                                           two_pass=True))
        self.assertEqual(sorted((new(f), name) for f, name in want), sorted((n, name) for n, name, _ in got))
        self.assertEqual(len(kept), max(n for n, _, _ in got))  # row 8's 200 OK, the last SIP frame
        # A retransmission's link to its first transmission, in the kept frames' numbering.
        first, retrans, ok = numbers[7]
        self.assertEqual([str(new(first))], rows[new(retrans)]["keepalive.retrans.original"])
        with self.assertRaises(AssertionError):  # a single pass refuses -R
            harness.tshark(["-R", "sip"], capture=CAPTURE)

if __name__ == "__main__":
    harness.main()
