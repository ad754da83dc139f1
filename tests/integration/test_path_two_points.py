#!/usr/bin/env python3
"""Two capture points merged in one pcapng (SPEC §2.3, §3.6): copies from the other point are not
retransmissions, the clock offset is estimated, and a refresh lost between the points is reported.
Expected values come from captures/generator/scenarios/path-two-points.cpp's parameters."""
# SPDX-License-Identifier: GPL-2.0-or-later
import datetime
import os
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SKEW = 5.317          # CUCM side clock - phone side clock
TRANSIT = 0.000302    # one way
TOLERANCE = 2.0       # how long past its expected arrival a keepalive may still show up
R1 = datetime.datetime(2023, 5, 10, 18, 14, 49, 51041, tzinfo=datetime.timezone.utc).timestamp()
OK_DELAY = 0.016
RETRANSMIT_AFTER = 0.420
IDLE = 115.0
LOST_REFRESH = 3


def capture(name):
    return os.path.join(harness.GENERATED, name)


def first_transmissions(lost):
    """Phone-side time of each REGISTER's first transmission (k = 1..5)."""
    times, t = [], R1
    for k in range(1, 6):
        times.append(t)
        through = t + RETRANSMIT_AFTER if lost and k == LOST_REFRESH else t
        t = through + OK_DELAY + IDLE
    return times


def frames(test, cap):
    rows = harness.fields_both_passes(test, cap, ["frame.number", "frame.interface_id", "frame.time_epoch",
                                                  "tcp.seq_raw", "tcp.len"])
    return [(int(r["frame.number"][0]), int(r["frame.interface_id"][0]), float(r["frame.time_epoch"][0]),
             int(r["tcp.seq_raw"][0]) if r["tcp.seq_raw"] else None, int(r["tcp.len"][0]) if r["tcp.len"] else 0)
            for r in rows]


def frame_at(rows, iface, t):
    return next(n for n, i, ft, _, _ in rows if i == iface and abs(ft - t) < 1e-6)


class TwoPoints(unittest.TestCase):
    CAP = capture("path-two-points.pcapng")
    SKEW = SKEW

    def test_spec_example_timestamps(self):
        # SPEC 2.3: seq 2991996107 at 18:14:49.051041 phone side, 18:14:54.368343 CUCM side.
        rows = frames(self, self.CAP)
        seen = [(i, ft) for _, i, ft, seq, ln in rows if seq == 2991996107 and ln > 0]
        self.assertEqual([i for i, _ in seen], [0, 1])
        self.assertAlmostEqual(seen[0][1], R1, places=6)
        self.assertAlmostEqual(seen[1][1], R1 + self.SKEW + TRANSIT, places=6)

    def test_exactly_one_path_loss_on_the_cucm_sides_first_frame_past_the_expected_arrival(self):
        rows = frames(self, self.CAP)
        lost_at = first_transmissions(True)[LOST_REFRESH - 1]
        lost = frame_at(rows, 0, lost_at)
        deadline = lost_at + self.SKEW + TRANSIT + TOLERANCE
        # That frame proves the CUCM side was still capturing: REGISTER 4's copy there.
        report = next(n for n, i, ft, _, _ in rows if i == 1 and ft > deadline)
        self.assertEqual(report, frame_at(rows, 1, first_transmissions(True)[LOST_REFRESH] + self.SKEW + TRANSIT))
        experts = harness.experts_both_passes(self, self.CAP)
        warnings = [(f, n) for f, n, _ in experts if harness.EXPERTS[n][1] in ("Warning", "Error")]
        self.assertEqual(warnings, [(report, "keepalive.path_loss")])
        message = next(m for f, n, m in experts if n == "keepalive.path_loss")
        self.assertTrue(message.startswith("Signalling to the server in frame %d never seen at the other capture point "
                                           "(interface 1): lost between the two points" % lost), message)

        names = ["frame.number", "keepalive.path.frame", "keepalive.path.clock_offset",
                 "keepalive.path.peer_interface", "keepalive.endpoint", "keepalive.server"]
        loss = harness.fields_both_passes(self, self.CAP, names, "keepalive.path.frame")
        self.assertEqual(len(loss), 1)
        r = loss[0]
        self.assertEqual(r["frame.number"], [str(report)])
        self.assertEqual(r["keepalive.path.frame"], [str(lost)])
        self.assertAlmostEqual(harness.seconds(r["keepalive.path.clock_offset"][0]), self.SKEW, places=9)
        self.assertEqual(r["keepalive.path.peer_interface"], ["1"])
        self.assertIn("SEPE0D1730A8137", r["keepalive.endpoint"])
        self.assertIn("10.60.98.11:5060/tcp", r["keepalive.server"])

    def test_only_the_phone_side_retransmission_counts(self):
        rows = frames(self, self.CAP)
        retrans = frame_at(rows, 0, first_transmissions(True)[LOST_REFRESH - 1] + RETRANSMIT_AFTER)
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([f for f, n, _ in experts if n == "keepalive.retransmission"], [retrans])
        # Wireshark itself flags every CUCM-side copy of a data segment.
        flagged = harness.fields_both_passes(self, self.CAP, ["frame.interface_id"], "tcp.analysis.retransmission")
        self.assertGreater(sum(1 for r in flagged if r["frame.interface_id"] == ["1"]), 5)


class OneInterface(unittest.TestCase):
    """Both points in one interface (mergecap without -I none, a classic pcap): one capture point,
    whose clock the other point's copies, 5.317 s late, do not share. Each copy is its sender's
    latest segment again with its IPv4 identification, or the handshake's SYN again after data: a
    copy, not a retransmission."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def one_interface(self, name):
        one = os.path.join(self.dir.name, name + ".pcap")
        subprocess.run(["editcap", "-F", "pcap", capture(name + ".pcapng"), one], check=True)
        return one

    def test_healthy_twin_stays_silent(self):
        self.assertEqual(harness.experts_both_passes(self, self.one_interface("path-two-points-healthy")), [])

    def test_a_lost_refresh_shows_as_at_the_phone_side(self):
        # What the two-point capture shows at the phone side (interface 0), path loss aside:
        # editcap keeps the frames' numbers.
        two = capture("path-two-points.pcapng")
        one = self.one_interface("path-two-points")
        names = ["frame.number", "keepalive.retrans.count", "keepalive.retrans.gap", "keepalive.refresh.lateness",
                 "keepalive.refresh.margin"]
        self.assertEqual(harness.fields_both_passes(self, one, names, "keepalive"),
                         harness.fields_both_passes(self, two, names, "keepalive && frame.interface_id == 0"))
        retrans = frame_at(frames(self, two), 0, first_transmissions(True)[LOST_REFRESH - 1] + RETRANSMIT_AFTER)
        self.assertEqual([(f, n) for f, n, _ in harness.experts_both_passes(self, one)],
                         [(retrans, "keepalive.retransmission")])

    def test_sccp_keepalives_copied_late_are_not_sent_again(self):
        experts = harness.experts_both_passes(self, self.one_interface("two-point-smoke"))
        self.assertEqual([e for e in experts if e[1] == "keepalive.retransmission"], [])


class TwoPointsSynced(TwoPoints):
    """path-two-points with the clocks in agreement: each 200 OK is seen first at the CUCM side,
    each REGISTER at the phone side, and the connection is still one binding."""
    CAP = capture("path-two-points-synced.pcapng")
    SKEW = 0.0

    def test_one_binding_fed_from_both_points(self):
        names = ["frame.number", "frame.interface_id", "keepalive.refresh.lateness", "keepalive.refresh.margin"]
        rows = harness.fields_both_passes(self, self.CAP, names, "keepalive.refresh.lateness || keepalive.refresh.margin")
        # Refreshes 2..5, each late by the transit time (see the scenario's derivation), on the phone side.
        late = [(r["frame.interface_id"], harness.seconds(r["keepalive.refresh.lateness"][0]))
                for r in rows if r["keepalive.refresh.lateness"]]
        self.assertEqual([i for i, _ in late], [["0"]] * 4)
        for _, v in late:
            self.assertAlmostEqual(v, TRANSIT, places=9)
        # Their margins on the 200 OKs, first seen at the CUCM side.
        margins = [(r["frame.interface_id"], harness.seconds(r["keepalive.refresh.margin"][0]))
                   for r in rows if r["keepalive.refresh.margin"]]
        self.assertEqual([i for i, _ in margins], [["1"]] * 4)
        for (_, v), want in zip(margins, [14.984, 130 - 115 - OK_DELAY - RETRANSMIT_AFTER, 14.984, 14.984]):
            self.assertAlmostEqual(v, want, places=9)


class TwoPointsBehind(unittest.TestCase):
    """path-two-points-behind: the CUCM side's clock 5.317 s behind; the connection is timed there."""
    CAP = capture("path-two-points-behind.pcapng")

    def test_one_clock(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([n for _, n, _ in experts if harness.EXPERTS[n][1] in ("Warning", "Error")],
                         ["keepalive.path_loss"])
        names = ["frame.interface_id", "keepalive.refresh.lateness", "keepalive.refresh.margin", "keepalive.retrans.gap",
                 "keepalive.path.clock_offset"]
        rows = harness.fields_both_passes(self, self.CAP, names, "keepalive")
        late = [harness.seconds(r["keepalive.refresh.lateness"][0]) for r in rows if r["keepalive.refresh.lateness"]]
        margins = [harness.seconds(r["keepalive.refresh.margin"][0]) for r in rows if r["keepalive.refresh.margin"]]
        for got, want in zip(late, [2 * TRANSIT, RETRANSMIT_AFTER + 2 * TRANSIT, 2 * TRANSIT, 2 * TRANSIT]):
            self.assertAlmostEqual(got, want, places=9)
        for got, want in zip(margins, [14.984, 130 - 115.016 - RETRANSMIT_AFTER, 14.984, 14.984]):
            self.assertAlmostEqual(got, want, places=9)
        self.assertEqual((len(late), len(margins)), (4, 4))
        # The CUCM side saw REGISTER 3 once: the phone side's retransmission is that sighting's
        # copy, and its first transmission the path loss (see README Known limits).
        self.assertEqual([r for r in rows if r["keepalive.retrans.gap"]], [])
        self.assertEqual([n for _, n, _ in experts if n == "keepalive.retransmission"], [])
        offsets = [harness.seconds(r["keepalive.path.clock_offset"][0]) for r in rows if r["keepalive.path.clock_offset"]]
        self.assertEqual(len(offsets), 1)
        self.assertAlmostEqual(offsets[0], -SKEW, places=9)


class ResentPastBothPoints(unittest.TestCase):
    """path-two-points, -synced and -behind with the CUCM side's copy of REGISTER 3's first
    transmission put back (at R3 + skew + transit): it passed both points and was lost beyond them.
    Each point sees both transmissions, so wherever the connection is timed REGISTER 3 is sent
    again once, 420 ms after the first, and nothing is lost between the points: every refresh as
    in the scenarios' derivations, REGISTER 3's margin 130 - 115.016 - 0.420 s."""
    MARGINS = [14.984, 130 - 115.016 - RETRANSMIT_AFTER, 14.984, 14.984]

    def test_one_retransmission_counted_once(self):
        r3 = first_transmissions(True)[LOST_REFRESH - 1]
        # name, skew, where the connection is timed, each refresh's lateness there
        for name, skew, home, lateness in [("path-two-points", SKEW, 0, 0.0),
                                           ("path-two-points-synced", 0.0, 0, TRANSIT),
                                           ("path-two-points-behind", -SKEW, 1, 2 * TRANSIT)]:
            with self.subTest(name), tempfile.TemporaryDirectory() as d:
                os.chmod(d, 0o755)
                head, packets = read_pcapng(capture(name + ".pcapng"))
                original = next(p for p in packets if p[0] == 0 and abs(p[1] / 1e9 - r3) < 1e-6)
                packets.append((1, original[1] + round((skew + TRANSIT) * 1e9), original[2]))
                packets.sort(key=lambda p: p[1])
                cap = os.path.join(d, "resent-past-both.pcapng")
                write_pcapng(cap, head, packets)
                os.chmod(cap, 0o644)

                experts = harness.experts_both_passes(self, cap)
                self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
                at_home = 0 if home == 0 else skew + TRANSIT
                resend = frame_at(frames(self, cap), home, r3 + RETRANSMIT_AFTER + at_home)
                self.assertEqual([f for f, n, _ in experts if n == "keepalive.retransmission"], [resend])
                names = ["frame.number", "keepalive.refresh.lateness", "keepalive.refresh.margin",
                         "keepalive.retrans.count", "keepalive.retrans.gap"]
                rows = harness.fields_both_passes(self, cap, names, "keepalive")
                gaps = [(r["frame.number"], harness.seconds(r["keepalive.retrans.gap"][0]))
                        for r in rows if r["keepalive.retrans.gap"]]
                self.assertEqual(len(gaps), 1)
                self.assertEqual(gaps[0][0], [str(resend)])
                self.assertAlmostEqual(gaps[0][1], RETRANSMIT_AFTER, places=9)
                counts = [int(r["keepalive.retrans.count"][0]) for r in rows if r["keepalive.retrans.count"]]
                self.assertEqual(max(counts), 1)
                late = [harness.seconds(r["keepalive.refresh.lateness"][0])
                        for r in rows if r["keepalive.refresh.lateness"]]
                margins = [harness.seconds(r["keepalive.refresh.margin"][0])
                           for r in rows if r["keepalive.refresh.margin"]]
                self.assertEqual((len(late), len(margins)), (4, 4))
                for got in late:
                    self.assertAlmostEqual(got, lateness, places=9)
                for got, want in zip(margins, self.MARGINS):
                    self.assertAlmostEqual(got, want, places=9)


class NotRecordedAtOnePoint(unittest.TestCase):
    """What one point's capture lacks was not lost between the points."""
    PHONE = bytes([10, 60, 98, 210])

    def silent(self, name, edit):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            head, packets = read_pcapng(capture(name + ".pcapng"))
            cap = os.path.join(d, "edited.pcapng")
            write_pcapng(cap, head, sorted(edit(packets), key=lambda p: p[1]))
            os.chmod(cap, 0o644)
            experts = harness.experts_both_passes(self, cap)
            self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
            self.assertEqual(harness.fields_both_passes(self, cap, ["frame.number"], "keepalive.path.frame"), [])
            return cap, experts

    def test_a_transmission_only_the_cucm_side_saw(self):
        # REGISTER 3's first transmission missing from the phone side's capture but seen at the CUCM
        # side (at R3 + skew + transit), which received it: the phone side's interface 0 sighting
        # moved to interface 1. Its retransmission 420 ms later passes both points.
        r3 = first_transmissions(True)[LOST_REFRESH - 1]
        for name, skew in [("path-two-points", SKEW), ("path-two-points-behind", -SKEW)]:
            with self.subTest(name):
                self.silent(name, lambda packets: [
                    (1, t + round((skew + TRANSIT) * 1e9), f) if i == 0 and abs(t / 1e9 - r3) < 1e-6 else (i, t, f)
                    for i, t, f in packets])

    def test_a_cucm_side_that_records_only_the_cucm(self):
        # A capture filter at the CUCM side keeps only what the call manager sends: REGISTER 3's
        # lost first transmission is not told, since that side shows none of the phone's segments.
        # The phone side's retransmission still counts.
        def cucm_only(packets):
            self.assertTrue(all(f[12:14] == b"\x08\x00" for _, _, f in packets))
            return [(i, t, f) for i, t, f in packets if i == 0 or f[26:30] != self.PHONE]
        cap, experts = self.silent("path-two-points", cucm_only)
        retrans = frame_at(frames(self, cap), 0, first_transmissions(True)[LOST_REFRESH - 1] + RETRANSMIT_AFTER)
        self.assertEqual([f for f, n, _ in experts if n == "keepalive.retransmission"], [retrans])


class TwoPointsStartedApart(unittest.TestCase):
    """path-two-points-started-apart: the CUCM side, its clock 5.317 s behind, starts capturing 100 s
    after the phone side, and sees REGISTER 2 and its 200 OK before the phone side's copy tells
    the offset: the grant is moved onto the phone side's clock once it is known."""
    CAP = capture("path-two-points-started-apart.pcapng")

    def test_grant_moved_onto_the_home_clock(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
        names = ["frame.interface_id", "keepalive.refresh.number", "keepalive.refresh.lateness", "keepalive.refresh.margin"]
        rows = harness.fields_both_passes(self, self.CAP, names, "keepalive.refresh.lateness || keepalive.refresh.margin")
        late = [harness.seconds(r["keepalive.refresh.lateness"][0]) for r in rows if r["keepalive.refresh.lateness"]]
        margins = [harness.seconds(r["keepalive.refresh.margin"][0]) for r in rows if r["keepalive.refresh.margin"]]
        # Refresh 2 and its 200 OK, on the CUCM side's clock: early by the skew, margin long by it.
        # Grant 2, at R2 + 16 ms - TRANSIT - SKEW there, is moved by the first offset estimate
        # (REGISTER 2's direction only), SKEW - TRANSIT: to R2 + 16 ms - 2 TRANSIT. Refresh 3 and its
        # 200 OK, moved by both directions' SKEW, come at R3 + TRANSIT and R3 + 16 ms - TRANSIT,
        # R3 = R2 + 115.016 s: 3 TRANSIT late, margin 130 - 115.016 - TRANSIT. Then as ever.
        self.assertEqual(len(late), 4)
        for got, want in zip(late, [TRANSIT - SKEW, 3 * TRANSIT, 2 * TRANSIT, 2 * TRANSIT]):
            self.assertAlmostEqual(got, want, places=9)
        self.assertEqual(len(margins), 4)
        for got, want in zip(margins, [14.984 + TRANSIT + SKEW, 14.984 - TRANSIT, 14.984, 14.984]):
            self.assertAlmostEqual(got, want, places=9)
        self.assertEqual({r["frame.interface_id"][0] for r in rows}, {"1"})


class TwoPointsStartedFarApart(unittest.TestCase):
    """path-two-points-started-far-apart: as path-two-points-started-apart, the CUCM side's clock
    200 s behind. Its frames come 200 s before the phone side's copies; until a segment is seen at
    both, the interfaces share one timer queue, and a deadline armed then was checked by the other
    point's frames on their own clock: a false grace breach. Now each deadline is checked by the
    frames of the point whose clock it is on."""
    CAP = capture("path-two-points-started-far-apart.pcapng")
    FAR = 200.0

    def test_silent_and_timed_once_the_offset_is_known(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
        names = ["sip.CSeq.seq", "keepalive.refresh.lateness", "keepalive.refresh.margin"]
        rows = harness.fields_both_passes(self, self.CAP, names, "keepalive.refresh.lateness || keepalive.refresh.margin")
        late = {int(r["sip.CSeq.seq"][0]): harness.seconds(r["keepalive.refresh.lateness"][0])
                for r in rows if r["keepalive.refresh.lateness"]}
        margins = {int(r["sip.CSeq.seq"][0]): harness.seconds(r["keepalive.refresh.margin"][0])
                   for r in rows if r["keepalive.refresh.margin"]}
        r1 = 0.0
        r3 = r1 + 2 * (IDLE + OK_DELAY)
        # REGISTER 3, at the CUCM side before the offset is known, against grant 1 at the phone
        # side: across the two clocks (README: Known limits).
        want_late = {103: (r3 + TRANSIT - self.FAR) - (r1 + OK_DELAY + IDLE), 104: 3 * TRANSIT, 105: 2 * TRANSIT}
        want_margins = {103: (r1 + OK_DELAY + 130) - (r3 + OK_DELAY - TRANSIT - self.FAR), 104: 14.984 - TRANSIT,
                        105: 14.984}
        self.assertEqual(sorted(late), sorted(want_late))
        self.assertEqual(sorted(margins), sorted(want_margins))
        for cseq, want in want_late.items():
            self.assertAlmostEqual(late[cseq], want, places=6)
        for cseq, want in want_margins.items():
            self.assertAlmostEqual(margins[cseq], want, places=6)


class TwoPointsClockStep(unittest.TestCase):
    """path-two-points-clock-step: ten refreshes, the CUCM side's clock set back 60 s between the
    third and the fourth. Its frames since come 54.7 s before the phone side's copies, so the
    fourth exchange is read on the old offset until two segments paired across the step show it:
    then one warning, and the binding's grant is moved by the step, so no refresh is late or
    breaches."""
    CAP = capture("path-two-points-clock-step.pcapng")
    STEP = 60.0

    def test_one_warning_no_false_breach(self):
        experts = harness.experts_both_passes(self, self.CAP)
        loud = [(f, n) for f, n, _ in experts if harness.EXPERTS[n][1] in ("Warning", "Error")]
        self.assertEqual(len(loud), 1)
        frame, name = loud[0]
        self.assertEqual(name, "keepalive.clock_step")
        # Known at the phone side's copy of the fourth 200 OK, the second segment paired across it.
        r4 = R1 + 3 * (IDLE + OK_DELAY)
        names = ["frame.interface_id", "frame.time_epoch", "tcp.len", "keepalive.capture.clock_step",
                 "keepalive.path.clock_offset", "keepalive.path.peer_interface", "keepalive.capture.unjudged"]
        row, = harness.fields_both_passes(self, self.CAP, names, "frame.number == %d" % frame)
        self.assertEqual((row["frame.interface_id"], row["tcp.len"]), (["0"], ["528"]))
        self.assertAlmostEqual(float(row["frame.time_epoch"][0]), r4 + OK_DELAY, places=6)
        self.assertAlmostEqual(harness.seconds(row["keepalive.capture.clock_step"][0]), -self.STEP, places=9)
        self.assertAlmostEqual(harness.seconds(row["keepalive.path.clock_offset"][0]), SKEW - self.STEP, places=9)
        self.assertEqual(row["keepalive.path.peer_interface"], ["1"])
        self.assertEqual(row["keepalive.capture.unjudged"], ["1"])  # the binding's grant

    def test_timed_again_after_the_step(self):
        names = ["keepalive.refresh.number", "keepalive.refresh.lateness", "keepalive.refresh.interval",
                 "keepalive.refresh.margin"]
        rows = harness.fields_both_passes(self, self.CAP, names, "sip.Method == \"REGISTER\" || sip.Status-Code == 200")
        numbers = [r["keepalive.refresh.number"] for r in rows]
        self.assertEqual(numbers, [[str(k)] for k in range(1, 11) for _ in (0, 1)])
        late = [r["keepalive.refresh.lateness"] for r in rows[2::2]]
        margins = [r["keepalive.refresh.margin"] for r in rows[3::2]]
        # Refreshes 2 and 3 on the phone side: on time. Refresh 4, seen first at the CUCM side and
        # read on the old offset before the step was known: 60 s early less the transit, and its
        # 2xx (sent TRANSIT before the phone side sees it) 60 s early plus the transit, which
        # lengthens its margin by as much. Refresh 5, across the moved grant: not timed. Then on the
        # CUCM side's clock as the offset since tells: REGISTERs TRANSIT later, 200 OKs TRANSIT
        # earlier than at the phone side, so each 2 TRANSIT late.
        want_late = [0, 0, TRANSIT - self.STEP, None] + [2 * TRANSIT] * 5
        want_margins = [14.984, 14.984, 14.984 + self.STEP + TRANSIT, None] + [14.984] * 5
        for got, want in zip(late, want_late):
            if want is None:
                self.assertEqual(got, [])
            else:
                self.assertAlmostEqual(harness.seconds(got[0]), want, places=9)
        for got, want in zip(margins, want_margins):
            if want is None:
                self.assertEqual(got, [])
            else:
                self.assertAlmostEqual(harness.seconds(got[0]), want, places=9)


class CallManagerRequestAndLostResponse(unittest.TestCase):
    """path-two-points-notify: a NOTIFY over the phone's connection does not make the phone's port
    a server's, so the 200 OK lost between the points is no lost keepalive/REGISTER."""
    CAP = capture("path-two-points-notify.pcapng")

    def test_silent_and_timed_from_the_first_sightings(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
        names = ["frame.interface_id", "keepalive.refresh.lateness", "keepalive.refresh.margin"]
        rows = harness.fields_both_passes(self, self.CAP, names, "keepalive.refresh.lateness || keepalive.refresh.margin")
        late = [harness.seconds(r["keepalive.refresh.lateness"][0]) for r in rows if r["keepalive.refresh.lateness"]]
        margins = [harness.seconds(r["keepalive.refresh.margin"][0]) for r in rows if r["keepalive.refresh.margin"]]
        for got in late:
            self.assertAlmostEqual(got, 0, places=9)
        for got, want in zip(margins, [14.984, 130 - 115.016 - 0.300, 14.984, 14.984]):
            self.assertAlmostEqual(got, want, places=9)
        self.assertEqual((len(late), len(margins)), (4, 4))


class HealthyTwin(unittest.TestCase):
    CAP = capture("path-two-points-healthy.pcapng")

    def test_silent(self):
        cap = self.CAP
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])
        self.assertEqual([e for e in experts if e[1] == "keepalive.retransmission"], [])
        self.assertEqual(harness.fields_both_passes(self, cap, ["frame.number"], "keepalive.path.frame"), [])


    def test_copies_the_capture_missed_are_not_lost(self):
        # The call-manager side's copies of refreshes 2-5, dropped as a SPAN session under load drops
        # frames: never sent again, and acknowledged by the 200 OKs, they arrived.
        rows = frames(self, self.CAP)
        copies = [n for n, i, _, _, size in rows if i == 1 and size == 548][1:]
        self.assertEqual(4, len(copies))
        with tempfile.TemporaryDirectory() as d:
            cap = os.path.join(d, "copies-dropped.pcapng")
            subprocess.run(["editcap", self.CAP, cap] + [str(n) for n in copies], check=True)
            experts = harness.experts_both_passes(self, cap)
            self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])


def read_pcapng(path):
    """(the blocks before the first packet, [(interface, time in ns, frame)]) of a little-endian
    pcapng with nanosecond interfaces, as the generator writes them."""
    with open(path, "rb") as f:
        data = f.read()
    head, packets, at = b"", [], 0
    while at < len(data):
        kind, length = struct.unpack("<II", data[at:at + 8])
        if kind == 6:
            iface, high, low, caplen = struct.unpack("<IIII", data[at + 8:at + 24])
            packets.append((iface, high << 32 | low, data[at + 28:at + 28 + caplen]))
        elif not packets:
            head += data[at:at + length]
        at += length
    return head, packets


def write_pcapng(path, head, packets):
    with open(path, "wb") as f:
        f.write(head)
        for iface, t, frame in packets:
            pad = (-len(frame)) % 4
            length = 32 + len(frame) + pad
            f.write(struct.pack("<IIIIIII", 6, length, iface, t >> 32, t & 0xFFFFFFFF, len(frame), len(frame)) +
                    frame + bytes(pad) + struct.pack("<I", length))


class GapAtOnePoint(unittest.TestCase):
    """path-two-points-healthy with a busy VLAN at each capture point: 20 datagrams a second from 20
    hosts of its own at each, from a minute before the first frame to 10 s after the last. The
    call-manager side (interface 1, its clock 5.317 s ahead) records nothing for 70 s from
    SKEW + 100 s after the first frame: refresh 2's copy (sent at +115 s) would have come then."""

    def test_one_capture_gap_no_path_loss(self):
        head, packets = read_pcapng(capture("path-two-points-healthy.pcapng"))
        t0 = packets[0][1]
        merged = [(i, t, frame, True) for i, t, frame in packets]
        for iface in (0, 1):
            n, t = 0, t0 - 60 * 10**9 + 10**6
            while t < packets[-1][1] + 10 * 10**9:
                merged.append((iface, t, harness.busy_vlan_frame(10 + iface, n % 20), False))
                t += 50 * 10**6
                n += 1
        merged.sort(key=lambda p: p[1])
        start, end = t0 + int((SKEW + 100) * 1e9), t0 + int((SKEW + 170) * 1e9)
        with tempfile.TemporaryDirectory() as d:
            twin = os.path.join(d, "busy.pcapng")
            write_pcapng(twin, head, [(i, t, f) for i, t, f, _ in merged])
            experts = harness.experts_both_passes(self, twin)
            self.assertEqual([e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")], [])

            gap = os.path.join(d, "gap.pcapng")
            kept = [p for p in merged if not (p[0] == 1 and start <= p[1] < end)]
            write_pcapng(gap, head, [(i, t, f) for i, t, f, _ in kept])
            first_after = next(n for n, p in enumerate(kept, 1) if p[0] == 1 and p[1] >= end)
            experts = harness.experts_both_passes(self, gap)
            self.assertEqual([(n, e) for n, e, _ in experts if harness.EXPERTS[e][1] in ("Warning", "Error")],
                             [(first_after, "keepalive.capture_gap")])
            rows = harness.fields_both_passes(self, gap, ["keepalive.capture.unjudged", "keepalive.capture.gap_from"],
                                              "keepalive.capture_gap")
            self.assertEqual(rows[0]["keepalive.capture.unjudged"], ["1"])  # refresh 2's copy
            last_before = max(n for n, p in enumerate(kept, 1) if p[0] == 1 and p[1] < start)
            self.assertEqual(rows[0]["keepalive.capture.gap_from"], [str(last_before)])


class SyncedHealthyTwin(HealthyTwin):
    CAP = capture("path-two-points-synced-healthy.pcapng")


class TwoPointSmoke(unittest.TestCase):
    # captures/generator/scenarios/skinny-smoke.cpp: interface 1's clock 5.3 s ahead, syslog only there.
    CAP = capture("two-point-smoke.pcapng")
    T0 = datetime.datetime(2023, 5, 11, 8, 0, 0, tzinfo=datetime.timezone.utc).timestamp()

    def test_copies_of_the_sccp_session_are_not_retransmissions(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([e for e in experts if e[1] in ("keepalive.retransmission", "keepalive.path_loss")], [])

    def test_syslog_age_is_on_one_clock(self):
        # The third keepalive at phone time 90.002 s, the syslog at 181.0 s on the same clock
        # (181.0 + 5.3 s on the call manager's): 181.0 - 90.002 s, not 186.3 - 90.002 s.
        last = frame_at(frames(self, self.CAP), 0, self.T0 + 90.002)
        rows = harness.fields_both_passes(self, self.CAP, ["keepalive.syslog.last_seen", "keepalive.syslog.age"],
                                          "keepalive.syslog.reason")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["keepalive.syslog.last_seen"], [str(last)])
        self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.syslog.age"][0]), 181.0 - 90.002, places=9)


class OneDirectionPerInterface(unittest.TestCase):
    """A tap's two ports captured as two interfaces of one machine (`dumpcap -i a -i b`): each sees
    one direction, no segment twice, one clock. Each capture split so, the servers' frames on
    interface 1 and the rest on interface 0 (`mergecap -I none`), gives the findings of the
    capture whole: outages and their healthy twins, SCCP, SIP over TCP and over UDP."""
    CAPTURES = ["skinny-primary-stops-acking", "skinny-primary-backup-healthy", "skinny-keepalive-retransmission",
                "sip-tcp-case-study-b", "sip-tcp-healthy", "sip-tcp-reconnect", "sip-udp-healthy", "sip-udp-timer-e",
                "sip-udp-proxy-hops"]
    FIELDS = harness.ALL_FIELDS + ["frame.time_epoch", "keepalive.event", "keepalive.sccp.request",
                                   "keepalive.forecast.gap", "keepalive.sccp.lateness", "keepalive.delivery.frame"]

    def split(self, whole, d):
        """The capture in two files merged as two interfaces; returns it and the servers' addresses."""
        asked = subprocess.run(["tshark", "-r", whole, "-T", "fields", "-e", "ip.dst", "-Y",
                                'sip.Method == "REGISTER" || skinny.messageId == 0 || skinny.messageId == 1'],
                               check=True, capture_output=True, text=True).stdout
        servers = sorted(set(filter(None, asked.split())))
        from_server = " || ".join("ip.src == %s" % a for a in servers)
        parts = []
        for i, f in enumerate(["!(%s)" % from_server, from_server]):
            parts.append(os.path.join(d, "%d.pcap" % i))
            subprocess.run(["tshark", "-r", whole, "-Y", f, "-w", parts[-1]], check=True, capture_output=True)
        out = os.path.join(d, "split.pcapng")
        subprocess.run(["mergecap", "-I", "none", "-w", out] + parts, check=True)
        os.chmod(out, 0o644)
        return out, servers

    def test_the_findings_of_the_whole(self):
        for name in self.CAPTURES:
            with self.subTest(name), tempfile.TemporaryDirectory() as d:
                os.chmod(d, 0o755)
                whole = capture(name + ".pcap")
                split, servers = self.split(whole, d)
                ifaces = harness.fields(split, ["frame.interface_id", "ip.src"])
                self.assertEqual({(r["frame.interface_id"][0], r["ip.src"][0] in servers) for r in ifaces if r["ip.src"]},
                                 {("0", False), ("1", True)})
                want = harness.fields_both_passes(self, whole, self.FIELDS, "keepalive")
                self.assertTrue(want)
                self.assertEqual(harness.fields_both_passes(self, split, self.FIELDS, "keepalive"), want)

    def test_a_capture_begun_mid_connection(self):
        """The capture starts with the server's segment of a connection already up, so that
        connection is kept at the server's interface; the phone's next connection, first seen at
        its own, is kept there too. sip-tcp-reconnect from its first 200 OK: the reconnect's
        REGISTER (270.048 s) is refresh 1 of the same binding, 75 s before its deadline, not a
        new binding leaving the old one to a false grace breach."""
        for name, start in [("sip-tcp-reconnect", 6), ("skinny-reregister-half-open-healthy", 8)]:
            with self.subTest(name), tempfile.TemporaryDirectory() as d:
                os.chmod(d, 0o755)
                whole = os.path.join(d, "whole.pcap")
                subprocess.run(["editcap", "-r", capture(name + ".pcap"), whole, "%d-1000000" % start], check=True)
                os.chmod(whole, 0o644)
                split, servers = self.split(whole, d)
                first = harness.fields(split, ["frame.interface_id", "ip.src"])[0]
                self.assertEqual((first["frame.interface_id"], first["ip.src"][0] in servers), (["1"], True))
                want = harness.fields_both_passes(self, whole, self.FIELDS, "keepalive")
                self.assertFalse([r for r in want if r["keepalive.grace.overrun"]])
                got = harness.fields_both_passes(self, split, self.FIELDS, "keepalive")
                self.assertEqual(got, want)
                if name == "sip-tcp-reconnect":
                    # Frame 15 of the cut capture: the new connection's first REGISTER.
                    reconnect = next(r for r in got if r["frame.number"] == ["15"])
                    self.assertEqual(reconnect["keepalive.refresh.lateness"], ["-75.000000000"])
                    self.assertEqual(reconnect["_ws.expert.message"], [])


if __name__ == "__main__":
    harness.main()
