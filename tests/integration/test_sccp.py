#!/usr/bin/env python3
"""SCCP (Skinny) keepalive analysis (SPEC §2.1, §3.3): the generated scenarios and the public captures.

Every expected value is derived from the scenario's header comment (captures/generator/scenarios/skinny-*.cpp)
or from the public capture's content; every check runs single pass and -2.
"""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FIELDS = [
    "frame.number", "frame.time_relative", "keepalive.endpoint", "keepalive.server", "keepalive.role",
    "keepalive.sccp.interval", "keepalive.sccp.gap", "keepalive.sccp.lateness", "keepalive.sccp.ack_latency", "keepalive.sccp.ack_latency_mean",
    "keepalive.sccp.missed", "keepalive.sccp.request", "keepalive.event", "keepalive.retrans.count",
    "keepalive.retrans.original", "keepalive.retrans.gap", "skinny.messageId",
]
KEEPALIVE_REQ, KEEPALIVE_ACK, REGISTER_REQ, REGISTER_ACK = "0", "256", "1", "129"
# keepalive.event values (ka::SessionEvent)
EV_REGISTER_ACK, EV_REGISTER_REJECT, EV_UNREGISTER, EV_UNREGISTER_ACK, EV_RESET, EV_FIN = "1", "2", "3", "4", "5", "6"
EV_REGISTERED_ELSEWHERE = "10"
US = 1000
MS = 1000 * US
S = 1000 * MS


def gen(name):
    return os.path.join(harness.GENERATED, name + ".pcap")


def pub(name):
    return os.path.join(harness.PUBLIC, name)


def ns(value):
    """A time field value ("30.001000000", "-0.5") as integer nanoseconds."""
    sign = -1 if value.startswith("-") else 1
    whole, _, frac = value.lstrip("-").partition(".")
    return sign * (int(whole) * S + int((frac + "000000000")[:9]))


def rows(test, capture, prefs=None):
    """Annotated frames (single pass == -2), keyed by frame number."""
    # The full SPEC field set must agree between the passes too.
    harness.annotated(test, capture, prefs)
    return {int(r["frame.number"][0]): r for r in harness.fields_both_passes(test, capture, FIELDS, "keepalive", prefs)}


def frames_at(capture):
    """Frame number of every frame by its time (ns since the first frame)."""
    return {ns(r["frame.time_relative"][0]): int(r["frame.number"][0])
            for r in harness.fields(capture, ["frame.number", "frame.time_relative"])}


def experts(test, capture, prefs=None):
    return harness.experts_both_passes(test, capture, prefs)


def stats(test, capture, prefs=None):
    """The stats tree: {"endpoint @ server": {counter: count}}, identical in both passes."""
    result = []
    for two_pass in (False, True):
        out = harness.tshark(["-q", "-z", "keepalive,tree"], capture=capture, prefs=prefs, two_pass=two_pass)
        tree, node = {}, None
        for line in out.splitlines():
            if line.startswith(" ") and not line.startswith("  ") and "@" in line:
                node = tree.setdefault(line.split("  ")[0].strip(), {})
            elif line.startswith("  ") and node is not None and line.strip():
                parts = line.split()
                i = next(k for k, p in enumerate(parts) if p.isdigit())
                node[" ".join(parts[:i])] = int(parts[i])
        result.append(tree)
    test.assertEqual(result[0], result[1], "stats tree differs between single pass and -2")
    return result[0]


def one(row, field):
    values = row[field]
    assert len(values) == 1, (field, values)
    return values[0]


def three_missed_then_failover(missed, reports):
    """Expert infos of three consecutive keepalives `missed` to a primary with a 30 s interval, each
    reported on the frame of `reports`: the next keepalive, and for the last the first frame past its
    interval, which also carries the failover (threshold 3)."""
    found = [(reports[0], "keepalive.keepalive_unacked",
              "KeepAliveReq to the primary in frame %d got no KeepAliveAck before this one "
              "(1 keepalive without ack)" % missed[0]),
             (reports[1], "keepalive.keepalive_unacked",
              "KeepAliveReq to the primary in frame %d got no KeepAliveAck before this one "
              "(2 consecutive keepalives without ack)" % missed[1]),
             (reports[2], "keepalive.keepalive_unacked",
              "KeepAliveReq to the primary in frame %d not acknowledged within the 30 s interval "
              "(3 consecutive keepalives without ack)" % missed[2])]
    return found + [(reports[2], "keepalive.failover",
                     "Delayed failover threshold reached: 3 consecutive keepalives unacknowledged at a 30 s "
                     "interval; the phone fails over to its backup call manager")]


def fin_without_unregistration(frame):
    return (frame, "keepalive.unregister", "TCP FIN ended the SCCP session without unregistration")


class Healthy(unittest.TestCase):
    """skinny-primary-backup-healthy: primary 30 s acked + backup 60 s TCP-ACK-only, 10 minutes."""
    CAP = gen("skinny-primary-backup-healthy")
    DEVICE = "SEP00235E1A2B3C"
    PRIMARY, BACKUP = "10.40.0.5:2000/tcp", "10.40.0.6:2000/tcp"
    # How much earlier than at the phone the call managers' messages are first seen.
    CM_FIRST = 0

    @classmethod
    def setUpClass(cls):
        cls.at = frames_at(cls.CAP)

    def test_no_expert_info_at_all(self):
        self.assertEqual(experts(self, self.CAP), [])

    def test_primary_keepalives_and_ack_latency_mean(self):
        r = rows(self, self.CAP)
        total = 0
        for k in range(1, 21):
            t = 1 * MS + 30 * k * S
            latency = 800 * US + 100 * US * (k % 7) - self.CM_FIRST
            ka, ack = r[self.at[t]], r[self.at[t + latency]]
            for row in (ka, ack):
                self.assertEqual(one(row, "keepalive.endpoint"), self.DEVICE)
                self.assertEqual(one(row, "keepalive.server"), self.PRIMARY)
                self.assertEqual(one(row, "keepalive.role"), "primary")
                self.assertEqual(one(row, "keepalive.sccp.interval"), "30")
            self.assertEqual(one(ka, "keepalive.sccp.missed"), "0")
            self.assertEqual(one(ka, "keepalive.retrans.count"), "0")
            self.assertEqual(ka["keepalive.sccp.gap"], [] if k == 1 else ["30.000000000"])
            self.assertEqual(ka["keepalive.sccp.lateness"], [] if k == 1 else ["0.000000000"])
            total += latency
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), latency)
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency_mean")), total // k)
            self.assertEqual(int(one(ack, "keepalive.sccp.request")), self.at[t])

    def test_backup_keepalives_are_normal(self):
        r = rows(self, self.CAP)
        for j in range(11):
            ka = r[self.at[510 * MS + 60 * j * S]]
            self.assertEqual(one(ka, "keepalive.endpoint"), self.DEVICE)  # learnt from the primary's RegisterReq
            self.assertEqual(one(ka, "keepalive.server"), self.BACKUP)
            self.assertEqual(one(ka, "keepalive.role"), "backup")  # the phone has a live primary
            self.assertEqual(one(ka, "keepalive.sccp.interval"), "60")  # secondaryKeepAliveInterval
            self.assertEqual(one(ka, "keepalive.sccp.missed"), "0")
            self.assertEqual(ka["keepalive.sccp.gap"], [] if j == 0 else ["60.000000000"])
            self.assertEqual(ka["keepalive.sccp.lateness"], [] if j == 0 else ["0.000000000"])
        backup_frames = [f for f, row in r.items() if row["keepalive.server"] == [self.BACKUP]]
        self.assertEqual(len(backup_frames), 11)  # the call manager's TCP ACKs are not annotated

    def test_registration(self):
        r = rows(self, self.CAP)
        reg, ack = r[self.at[1 * MS]], r[self.at[3 * MS - self.CM_FIRST]]
        self.assertEqual(one(reg, "keepalive.endpoint"), self.DEVICE)
        self.assertEqual(reg["keepalive.role"], [])  # not known before the RegisterAck
        self.assertEqual(one(ack, "keepalive.event"), EV_REGISTER_ACK)
        self.assertEqual(one(ack, "keepalive.role"), "primary")
        self.assertEqual(one(ack, "keepalive.sccp.interval"), "30")
        self.assertEqual(len(r), 2 + 20 + 20 + 11)

    def test_stats(self):
        self.assertEqual(stats(self, self.CAP), {
            self.DEVICE + " @ " + self.PRIMARY: {"Keepalives": 20, "Acknowledged": 20},
            self.DEVICE + " @ " + self.BACKUP: {"Keepalives": 11},
        })


class BootStorm(unittest.TestCase):
    """skinny-boot-storm: twenty phones boot together (frames from 21 hosts, nearly 2,000 in three
    seconds), then keepalives in step with half a minute of silence between them. A burst is no
    steady traffic: that silence is no capture gap, and nothing goes unjudged."""
    PHONES = ["SEP00235E1A2B%02X" % (i + 1) for i in range(20)]

    def test_healthy_stays_silent(self):
        cap = gen("skinny-boot-storm")
        self.assertEqual(experts(self, cap), [])
        at = frames_at(cap)
        rows_ = rows(self, cap)
        for i, name in enumerate(self.PHONES):
            boot = 50 * MS * i
            # KeepAliveReq n at B_i + 1 ms + 30 s * n; each after the first 30 s after the one before.
            requests = [rows_[at[boot + 1 * MS + 30 * S * n]] for n in range(1, 11)]
            self.assertEqual({name}, {one(r, "keepalive.endpoint") for r in requests})
            self.assertEqual({"primary"}, {one(r, "keepalive.role") for r in requests})
            self.assertEqual([30 * S] * 9, [ns(one(r, "keepalive.sccp.gap")) for r in requests[1:]])
            acks = [rows_[at[boot + 2 * MS + 30 * S * n]] for n in range(1, 11)]
            self.assertEqual([1 * MS] * 10, [ns(one(r, "keepalive.sccp.ack_latency")) for r in acks])

    def test_a_phone_that_dies_is_dropped_on_time(self):
        # Phone 7 is silent after its configuration: KeepAliveTimeout, 3 x 30 s after its
        # RegisterAck at T0 + 353 ms, is reported on the first frame past T0 + 90.353 s: phone 8's
        # KeepAliveReq at T0 + 90.401 s.
        cap = gen("skinny-boot-storm-phone-dies")
        at = frames_at(cap)
        self.assertEqual(experts(self, cap), [
            (at[90401 * MS], "keepalive.failover",
             "No keepalive for 90.0 s, more than 3 intervals of 30 s: the call manager drops the phone "
             "(KeepAliveTimeout, reason 13)")])
        dropped = rows(self, cap)[at[90401 * MS]]["keepalive.endpoint"]
        self.assertEqual(["SEP00235E1A2B09", "SEP00235E1A2B08"], dropped)
        # Phone 7 sent no KeepAliveReq to point to (phone 8's keepalive on time points to none either).
        request = harness.fields_both_passes(self, cap, ["frame.number", "keepalive.sccp.request"],
                                            "frame.number == %d" % at[90401 * MS])
        self.assertEqual([[]], [r["keepalive.sccp.request"] for r in request])


class TcpKeepaliveProbes(unittest.TestCase):
    """skinny-tcp-keepalive-probes: a healthy primary whose idle connection both TCP stacks probe,
    the phone's with one old byte (which must not be taken for the start of the next message)."""
    CAP = gen("skinny-tcp-keepalive-probes")

    def test_no_expert_info_at_all(self):
        self.assertEqual(experts(self, self.CAP), [])

    def test_every_keepalive_and_ack_after_the_probes(self):
        at, r = frames_at(self.CAP), rows(self, self.CAP)
        for k in range(1, 9):
            t = 1 * MS + 30 * k * S
            ka, ack = r[at[t]], r[at[t + 1 * MS]]
            self.assertEqual(one(ka, "skinny.messageId"), KEEPALIVE_REQ)
            self.assertEqual(one(ka, "keepalive.role"), "primary")
            self.assertEqual(one(ka, "keepalive.sccp.missed"), "0")
            self.assertEqual(ka["keepalive.sccp.gap"], [] if k == 1 else ["30.000000000"])
            self.assertEqual(ka["keepalive.sccp.lateness"], [] if k == 1 else ["0.000000000"])
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), 1 * MS)
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency_mean")), 1 * MS)
            self.assertEqual(int(one(ack, "keepalive.sccp.request")), at[t])
        # The RegisterReq and RegisterAck, 8 keepalives and 8 acks; probes and ACKs are not annotated.
        self.assertEqual(len(r), 2 + 8 + 8)


class PrimaryStopsAcking(unittest.TestCase):
    """skinny-primary-stops-acking: K(5..7) unacknowledged, failover at the third missed interval."""
    CAP = gen("skinny-primary-stops-acking")
    DEVICE = "SEP00235E4D5E6F"
    PRIMARY, BACKUP = "10.40.1.5:2000/tcp", "10.40.1.6:2000/tcp"
    # How much earlier than at the phone the call managers' messages are first seen.
    CM_FIRST = 0

    @classmethod
    def setUpClass(cls):
        cls.at = frames_at(cls.CAP)
        cls.k = {k: cls.at[1 * MS + 30 * k * S] for k in range(1, 8)}
        cls.failover = cls.at[240101 * MS]  # backup RegisterReq: first frame past K(7) + 30 s
        cls.fin = cls.at[240200 * MS]

    def test_expert_infos(self):
        k = self.k
        self.assertEqual(experts(self, self.CAP), three_missed_then_failover(
            [k[5], k[6], k[7]], [k[6], k[7], self.failover]) + [fin_without_unregistration(self.fin)])

    def test_missed_counts(self):
        r = rows(self, self.CAP)
        for k in range(1, 8):
            self.assertEqual(one(r[self.k[k]], "keepalive.sccp.missed"), str(max(0, k - 5)), k)
            self.assertEqual(one(r[self.k[k]], "keepalive.role"), "primary")
        for k in (6, 7):
            self.assertEqual(int(one(r[self.k[k]], "keepalive.sccp.request")), self.k[k - 1])
        # The failover frame carries the backup's RegisterReq and the primary's verdict.
        f = r[self.failover]
        self.assertEqual(f["keepalive.server"], [self.BACKUP, self.PRIMARY])
        self.assertEqual(f["keepalive.role"], ["backup", "primary"])
        self.assertEqual(f["keepalive.sccp.missed"], ["3"])
        self.assertEqual(f["keepalive.sccp.interval"], ["30"])
        self.assertEqual(ns(one(f, "keepalive.sccp.gap")), 240101 * MS - (1 * MS + 210 * S))
        self.assertEqual(int(one(f, "keepalive.sccp.request")), self.k[7])

    def test_backup_takes_over_as_primary(self):
        r = rows(self, self.CAP)
        for j in range(4):
            self.assertEqual(one(r[self.at[510 * MS + 60 * j * S]], "keepalive.role"), "backup")
        ack = r[self.at[240103 * MS - self.CM_FIRST]]
        self.assertEqual(one(ack, "keepalive.event"), EV_REGISTER_ACK)
        self.assertEqual(one(ack, "keepalive.server"), self.BACKUP)
        self.assertEqual(one(ack, "keepalive.role"), "primary")
        # Its first keepalive as primary comes 89.591 s after its last as backup (T0 + 180.510), and
        # on time by the timer its RegisterAck restarted: 2 ms early (one interval from the ack).
        first = r[self.at[240101 * MS + 30 * S]]
        self.assertEqual(ns(one(first, "keepalive.sccp.gap")), 270101 * MS - 180510 * MS)
        self.assertEqual(ns(one(first, "keepalive.sccp.lateness")), 270101 * MS - (240103 * MS - self.CM_FIRST) - 30 * S)
        for m in range(1, 5):
            t = 240101 * MS + 30 * m * S
            self.assertEqual(one(r[self.at[t]], "keepalive.role"), "primary")
            self.assertEqual(one(r[self.at[t]], "keepalive.sccp.missed"), "0")
            self.assertEqual(ns(one(r[self.at[t + 1 * MS - self.CM_FIRST]], "keepalive.sccp.ack_latency")),
                             1 * MS - self.CM_FIRST)

    def test_stats(self):
        self.assertEqual(stats(self, self.CAP), {
            self.DEVICE + " @ " + self.PRIMARY: {"Keepalives": 7, "Acknowledged": 4, "Unacknowledged": 3, "Failovers": 1},
            self.DEVICE + " @ " + self.BACKUP: {"Keepalives": 8, "Acknowledged": 4},
        })

    def test_threshold_preference(self):
        # With 4, three misses are not a failover, and the FIN ends the session before a fourth.
        found = experts(self, self.CAP, {"sccp_missed_threshold": "4"})
        self.assertEqual([(f, name) for f, name, _ in found], [
            (self.k[6], "keepalive.keepalive_unacked"), (self.k[7], "keepalive.keepalive_unacked"),
            (self.failover, "keepalive.keepalive_unacked"), (self.fin, "keepalive.unregister")])
        # With 2, the failover comes with the second miss, on K(7).
        found = experts(self, self.CAP, {"sccp_missed_threshold": "2"})
        self.assertEqual([(f, name) for f, name, _ in found], [
            (self.k[6], "keepalive.keepalive_unacked"), (self.k[7], "keepalive.keepalive_unacked"),
            (self.k[7], "keepalive.failover"), (self.failover, "keepalive.keepalive_unacked"),
            (self.fin, "keepalive.unregister")])


class GatewayDevices(unittest.TestCase):
    """skinny-gateway-devices: three SCCP devices of one gateway address, each on its own connection
    to one call manager, captured mid-session (no RegisterReq names them); each round's three
    keepalives within 0.8 ms, one device's ack while another's keepalive awaits its own. Three
    registrations, not one phone registering again: silent. In the -one-stops twin the call manager
    stops acknowledging the second device from round 4: its misses and failover only."""
    GATEWAY, SERVER = "10.180.110.57", "172.27.44.6:2000/tcp"
    SENT = (0, 400 * US, 800 * US)          # D1, D2, D3 after each round's start, every 30 s
    ACKED = (5 * MS, 1400 * US, 2800 * US)  # their KeepAliveAcks

    def check(self, name, stops):
        cap = gen(name)
        at = frames_at(cap)
        req = {(k, d): at[30 * k * S + self.SENT[d]] for k in range(8) for d in range(3)}
        r = rows(self, cap)
        for k in range(8):
            for d in range(3):
                row = r[req[k, d]]
                self.assertEqual(one(row, "keepalive.endpoint"), self.GATEWAY)
                self.assertEqual(one(row, "keepalive.server"), self.SERVER)
                if k == 0:  # a session's first keepalive: its role waits for the call manager
                    self.assertEqual(row["keepalive.role"], [])
                    continue
                self.assertEqual(one(row, "keepalive.role"), "primary")
                self.assertEqual(one(row, "keepalive.sccp.interval"), "30")
                self.assertEqual(ns(one(row, "keepalive.sccp.gap")), 30 * S)
                self.assertEqual(ns(one(row, "keepalive.sccp.lateness")), 0)
                if stops and d == 1:
                    continue
                ack = r[at[30 * k * S + self.ACKED[d]]]
                self.assertEqual(int(one(ack, "keepalive.sccp.request")), req[k, d])
                self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), self.ACKED[d] - self.SENT[d])
                self.assertEqual(one(ack, "keepalive.role"), "primary")
        return req

    def test_silent(self):
        cap = gen("skinny-gateway-devices")
        self.assertEqual(experts(self, cap), [])
        self.check("skinny-gateway-devices", stops=False)
        self.assertEqual(stats(self, cap), {
            self.GATEWAY + " @ " + self.SERVER: {"Keepalives": 24, "Acknowledged": 24}})

    def test_one_device_stops_being_acknowledged(self):
        cap = gen("skinny-gateway-devices-one-stops")
        req = self.check("skinny-gateway-devices-one-stops", stops=True)
        d2 = [req[k, 1] for k in range(4, 8)]
        found = three_missed_then_failover(d2[:3], d2[1:])
        # The third miss is reported by the device's next keepalive, exactly one interval later.
        found[2] = (d2[3], "keepalive.keepalive_unacked",
                    "KeepAliveReq to the primary in frame %d got no KeepAliveAck before this one "
                    "(3 consecutive keepalives without ack)" % d2[2])
        self.assertEqual(experts(self, cap), found)
        r = rows(self, cap)
        for k in range(4, 8):
            self.assertEqual(one(r[req[k, 1]], "keepalive.sccp.missed"), str(k - 4))
        self.assertEqual(stats(self, cap), {
            self.GATEWAY + " @ " + self.SERVER: {"Keepalives": 24, "Acknowledged": 20, "Unacknowledged": 3,
                                                 "Failovers": 1}})


class TwoPointsSyncedHealthy(Healthy):
    """two-point-synced-healthy: the healthy twin at two capture points with synchronised clocks
    (100 us transit): silent, and every value of the single capture, the call managers' messages
    on their first (interface 1) frames."""
    CAP = harness.os.path.join(harness.GENERATED, "two-point-synced-healthy.pcapng")
    CM_FIRST = 100 * US


class TwoPointsClockStep(unittest.TestCase):
    """two-point-clock-step: two-point-synced-healthy with the call managers' side's clock
    (interface 1) set back 60 s at T0 + 300.5 s, the two captures merged as mergecap merges them.
    That side's own timeline shows the step at its first frame after it, the backup's keepalive
    j = 5 (there at T0 + 300.5101 s, stamped T0 + 240.5101 s), after its last frame before it, the
    phone's ACK of KeepAliveAck k = 10 (T0 + 300.0024 s). One warning; after it nothing is late or
    early, and every KeepAliveAck is timed."""
    CAP = harness.os.path.join(harness.GENERATED, "two-point-clock-step.pcapng")
    STEP = 60 * S
    TRANSIT = 100 * US

    def test_one_warning_then_timed_again(self):
        found = experts(self, self.CAP)
        loud = [(f, n) for f, n, _ in found if harness.EXPERTS[n][1] in ("Warning", "Error")]
        self.assertEqual([n for _, n in loud], ["keepalive.clock_step"])
        warned = loud[0][0]
        at = {(int(r["frame.interface_id"][0]), ns(r["frame.time_relative"][0])): int(r["frame.number"][0])
              for r in harness.fields(self.CAP, ["frame.number", "frame.interface_id", "frame.time_relative"])}
        first, last = at[(1, 240510 * MS + 100 * US)], at[(1, 300002 * MS + 400 * US)]
        step = harness.fields_both_passes(self, self.CAP, ["keepalive.capture.clock_step", "keepalive.capture.clock_step_frame",
                                                           "keepalive.capture.gap_from"], "frame.number == %d" % warned)[0]
        self.assertEqual(ns(step["keepalive.capture.clock_step"][0]), (240510 * MS + 100 * US) - (300002 * MS + 400 * US))
        self.assertEqual((int(step["keepalive.capture.clock_step_frame"][0]), int(step["keepalive.capture.gap_from"][0])),
                         (first, last))
        self.assertEqual(warned, first + 1)
        r = rows(self, self.CAP)
        ifaces = {int(row["frame.number"][0]): int(row["frame.interface_id"][0]) for row in
                  harness.fields(self.CAP, ["frame.number", "frame.interface_id"], "keepalive")}
        # The first keepalive stamped back, read before the step was known: the backup's j = 4 came
        # 60 s before it, on the phone side; it seems to follow it by the transit.
        self.assertEqual(ns(one(r[first], "keepalive.sccp.lateness")), self.TRANSIT - self.STEP)
        timed_acks = 0
        for number, row in r.items():
            if number <= warned:
                continue
            true = ns(one(row, "frame.time_relative")) + (self.STEP if ifaces[number] == 1 else 0)
            if row["keepalive.sccp.lateness"]:
                # From then on one side's clock is moved onto the other's by an offset told by one
                # direction, then both: right to within the transit.
                self.assertLessEqual(abs(ns(one(row, "keepalive.sccp.lateness"))), self.TRANSIT, number)
            if row["keepalive.sccp.ack_latency"]:
                # Request and ack both first seen at the call managers' side now: L(k) less 2 transits.
                k = round((true - 1 * MS) / (30 * S))
                want = 800 * US + 100 * US * (k % 7) - 2 * self.TRANSIT
                self.assertLessEqual(abs(ns(one(row, "keepalive.sccp.ack_latency")) - want), self.TRANSIT, number)
                timed_acks += 1
        self.assertEqual(timed_acks, 10)  # k = 11..20


class TwoPointsStartedApart(unittest.TestCase):
    """two-point-started-apart: the call managers' side's clock 120 s behind and its capture started
    100 s after the phone side's. Its frames come 120 s before the phone side's copies, on a clock
    whose offset is unknown until the phone side's copy of K(4) (T0 + 120.001 s) pairs with its
    sighting there; until then the sessions are not timed across the two clocks, so the call
    manager's silence clock never runs on the wrong one: no failover."""
    CAP = harness.os.path.join(harness.GENERATED, "two-point-started-apart.pcapng")
    TRANSIT = 100 * US

    def test_silent_and_timed_once_the_offset_is_known(self):
        self.assertEqual(experts(self, self.CAP), [])
        r = rows(self, self.CAP)
        gaps = {"primary": [], "backup": []}
        for number, row in sorted(r.items()):
            if row["keepalive.sccp.gap"]:
                gaps[one(row, "keepalive.role")].append(ns(one(row, "keepalive.sccp.gap")))
        # Primary: K(1)-K(3) at the phone side only (the other capture had not begun), K(4)-K(7)
        # first at the call managers' side before the offset is known, each on the other clock
        # than the keepalive before it; K(8), the first moved onto the phone side's clock, is
        # compared with K(7), on the other: no gap. K(9)-K(20): 30 s. Backup: j = 5..10 likewise, 60 s.
        self.assertEqual((len(gaps["primary"]), len(gaps["backup"])), (12, 6))
        for role, interval in (("primary", 30 * S), ("backup", 60 * S)):
            for gap in gaps[role]:
                self.assertLessEqual(abs(gap - interval), self.TRANSIT, role)


class TwoPointsSyncedStopsAcking(PrimaryStopsAcking):
    """two-point-synced-stops-acking: the same seen at the phone (interface 0) and at the call
    managers (interface 1) with synchronised clocks and 200 us of transit: each connection is one
    session, fed by whichever point sees a message first, and the copies count for nothing. Every
    check of the single capture holds, on the phone-side frames of the same times."""
    CAP = harness.os.path.join(harness.GENERATED, "two-point-synced-stops-acking.pcapng")
    CM_FIRST = 200 * US

    def test_annotated_frames(self):
        r = rows(self, self.CAP)
        ifaces = {int(row["frame.number"][0]): row for row in
                  harness.fields_both_passes(self, self.CAP, ["frame.number", "frame.interface_id"], "keepalive")}
        # Interface 1 frames annotated: the call managers' messages (2 RegisterAcks, 4 + 4
        # KeepAliveAcks) and the primary's FIN; their interface-0 copies, and the phone's messages'
        # copies, are not.
        on_cm_side = sorted(f for f, row in ifaces.items() if row["frame.interface_id"] == ["1"])
        self.assertEqual(on_cm_side, sorted(self.at[t - self.CM_FIRST] for t in
                                            [3 * MS, 240103 * MS, 240200300 * US] +
                                            [1 * MS + 30 * k * S + 1 * MS for k in range(1, 5)] +
                                            [240101 * MS + 30 * m * S + 1 * MS for m in range(1, 5)]))
        self.assertEqual(len(r), len(rows(self, gen("skinny-primary-stops-acking"))))


class JitteryAcks(unittest.TestCase):
    """skinny-jittery-acks: ack latencies between 0.1 ms and 600 ms never exceed the 30 s interval."""
    CAP = gen("skinny-jittery-acks")
    LATENCY_US = [100, 600000, 12000, 400, 450000, 1500, 599900, 80000, 100, 300000,
                  2000, 600000, 33300, 200, 520000, 7000, 150000, 100, 599000, 60000]

    def test_no_expert_info_at_all(self):
        self.assertEqual(experts(self, self.CAP), [])

    def test_latency_and_running_mean(self):
        at = frames_at(self.CAP)
        r = rows(self, self.CAP)
        total = 0
        for k, latency_us in enumerate(self.LATENCY_US, start=1):
            t = 1 * MS + 30 * k * S
            total += latency_us * US
            ack = r[at[t + latency_us * US]]
            self.assertEqual(one(ack, "keepalive.role"), "primary")
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), latency_us * US)
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency_mean")), total // k)
            self.assertEqual(one(r[at[t]], "keepalive.sccp.missed"), "0")
            if latency_us * US > 200 * MS:  # the delayed TCP ACK before the KeepAliveAck is not annotated
                self.assertNotIn(at[t + 40 * MS], r)
        self.assertEqual(stats(self, self.CAP), {"SEP00235E7A8B9C @ 10.40.2.5:2000/tcp": {"Keepalives": 20, "Acknowledged": 20}})


class Retransmission(unittest.TestCase):
    """skinny-keepalive-retransmission: K(3) retransmitted once, K(4) twice, both then acknowledged."""
    CAP = gen("skinny-keepalive-retransmission")

    def test_retransmissions_and_acks(self):
        at = frames_at(self.CAP)
        r = rows(self, self.CAP)
        t = {k: 1 * MS + 30 * k * S for k in range(1, 6)}
        k3, k4 = at[t[3]], at[t[4]]
        expected = [  # (frame, count, original, gap)
            (at[t[3] + 300 * MS], 1, k3, 300 * MS),
            (at[t[4] + 300 * MS], 1, k4, 300 * MS),
            (at[t[4] + 900 * MS], 2, k4, 600 * MS),
        ]
        found = experts(self, self.CAP)
        self.assertEqual(found, [
            (f, "keepalive.retransmission",
             "KeepAliveReq sent again (retransmission %d, %d ms after the previous transmission, first sent in frame %d)"
             % (count, gap // MS, original)) for f, count, original, gap in expected])
        for f, count, original, gap in expected:
            self.assertEqual(one(r[f], "keepalive.retrans.count"), str(count))
            self.assertEqual(int(one(r[f], "keepalive.retrans.original")), original)
            self.assertEqual(ns(one(r[f], "keepalive.retrans.gap")), gap)
            self.assertEqual(r[f]["skinny.messageId"], [])  # Wireshark does not hand it to SKINNY
        latencies = {1: 1200 * US, 2: 1200 * US, 3: 301200 * US, 4: 901200 * US, 5: 1200 * US}
        delivered = {1: t[1], 2: t[2], 3: t[3] + 300 * MS, 4: t[4] + 900 * MS, 5: t[5]}
        totals = {1: 0, 2: 0, 3: 1, 4: 2, 5: 0}
        for k in range(1, 6):
            ack = r[at[delivered[k] + 1200 * US]]
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), latencies[k])
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency_mean")), sum(latencies[i] for i in range(1, k + 1)) // k)
            self.assertEqual(one(ack, "keepalive.retrans.count"), str(totals[k]))
            self.assertEqual(int(one(ack, "keepalive.sccp.request")), at[t[k]])
        self.assertEqual(stats(self, self.CAP), {"SEP00235EABCDEF @ 10.40.3.5:2000/tcp": {
            "Keepalives": 5, "Acknowledged": 5, "Retransmissions": 3}})


class MidsessionSilent(unittest.TestCase):
    """skinny-midsession-silent: no RegisterAck (preferences set the interval), acks stop, phone goes silent."""
    CAP = gen("skinny-midsession-silent")
    PHONE = "10.40.4.21"

    @classmethod
    def setUpClass(cls):
        cls.at = frames_at(cls.CAP)
        cls.k = {k: cls.at[20 * k * S] for k in range(6)}

    def verdicts(self, prefs, interval, threshold):
        """Expected (frame, expert) list and the missed annotations, derived from the parameters."""
        k5 = 100 * S
        second_miss = self.at[k5 + interval * S + 500 * MS]  # first datagram past K(5) + interval
        silence = self.at[k5 + threshold * interval * S + 500 * MS]  # first datagram past K(5) + threshold x interval
        found = experts(self, self.CAP, prefs)
        expected = [(self.k[5], "keepalive.keepalive_unacked"), (second_miss, "keepalive.keepalive_unacked")]
        if threshold <= 2:
            expected.append((second_miss, "keepalive.failover"))
        else:
            expected.append((silence, "keepalive.failover"))
        self.assertEqual([(f, name) for f, name, _ in found], expected)
        return found, second_miss, silence

    def test_defaults(self):
        found, second_miss, silence = self.verdicts(None, 30, 3)
        self.assertEqual(found[2][2], "No keepalive for 90.5 s, more than 3 intervals of 30 s: "
                                      "the call manager drops the phone (KeepAliveTimeout, reason 13)")
        r = rows(self, self.CAP)
        self.assertEqual(r[self.k[0]]["keepalive.role"], [])  # no evidence yet
        self.assertEqual(r[self.k[0]]["keepalive.sccp.interval"], [])
        for k in range(1, 6):
            self.assertEqual(one(r[self.k[k]], "keepalive.endpoint"), self.PHONE)
            self.assertEqual(one(r[self.k[k]], "keepalive.role"), "primary")  # K(0) was acknowledged
            self.assertEqual(one(r[self.k[k]], "keepalive.sccp.interval"), "30")  # sccp_interval
            self.assertEqual(one(r[self.k[k]], "keepalive.sccp.gap"), "20.000000000")
            self.assertEqual(ns(one(r[self.k[k]], "keepalive.sccp.lateness")), (20 - 30) * S)  # early
        self.assertEqual(one(r[second_miss], "keepalive.sccp.missed"), "2")
        self.assertEqual(int(one(r[second_miss], "keepalive.sccp.request")), self.k[5])
        self.assertEqual(ns(one(r[silence], "keepalive.sccp.gap")), 90 * S + 500 * MS)
        self.assertEqual(stats(self, self.CAP), {self.PHONE + " @ 10.40.4.5:2000/tcp": {
            "Keepalives": 6, "Acknowledged": 4, "Unacknowledged": 2, "Failovers": 1}})

    def test_interval_preference(self):
        found, second_miss, silence = self.verdicts({"sccp_interval": "20"}, 20, 3)
        self.assertEqual(found[1][2], "KeepAliveReq to the primary in frame %d not acknowledged within the 20 s "
                                      "interval (2 consecutive keepalives without ack)" % self.k[5])
        r = rows(self, self.CAP, {"sccp_interval": "20"})
        self.assertEqual(one(r[self.k[3]], "keepalive.sccp.interval"), "20")
        self.assertEqual(ns(one(r[silence], "keepalive.sccp.gap")), 60 * S + 500 * MS)

    def test_threshold_preference(self):
        found, second_miss, _ = self.verdicts({"sccp_missed_threshold": "2"}, 30, 2)
        self.assertEqual(found[2][2], "Delayed failover threshold reached: 2 consecutive keepalives unacknowledged "
                                      "at a 30 s interval; the phone fails over to its backup call manager")


class OverTls:
    """skinny-tls-*: SCCP over TLS on port 2443, which Wireshark decrypts with the scenario's key log
    and hands to SKINNY (a mixin: not a test case of its own)."""
    NAME = None
    DEVICE = "SEP00235E4D7A01"
    SERVER = "10.40.2.5:2443/tls"
    T0 = 40 * MS  # the scenario's T0: the capture starts with the TCP handshake 40 ms before it

    @classmethod
    def setUpClass(cls):
        cls.CAP = gen(cls.NAME)
        cls.keys = os.path.join(harness.GENERATED, cls.NAME + ".keys")
        cls.at = frames_at(cls.CAP)
        cls.k = {k: cls.at[cls.T0 + 30 * k * S] for k in range(1, 7)}

    def decrypted_rows(self):
        with harness.decrypting(self.keys):
            return rows(self, self.CAP)

    def test_silent_without_the_key_log(self):
        self.assertEqual(experts(self, self.CAP), [])
        self.assertEqual(harness.annotated(self, self.CAP), [])

    def test_registration_and_server(self):
        r = self.decrypted_rows()
        self.assertEqual(one(r[self.at[self.T0]], "keepalive.endpoint"), self.DEVICE)
        ack = r[self.at[self.T0 + 2 * MS]]
        self.assertEqual(one(ack, "keepalive.event"), EV_REGISTER_ACK)
        self.assertEqual(one(ack, "keepalive.sccp.interval"), "30")
        for n, row in r.items():
            self.assertEqual(set(row["keepalive.server"]), {self.SERVER}, n)
            self.assertEqual(set(row["keepalive.endpoint"]), {self.DEVICE}, n)

    def check_keepalives(self, r, acked):
        for k in range(1, 7):
            req = r[self.k[k]]
            self.assertEqual(one(req, "keepalive.role"), "primary")
            self.assertEqual(one(req, "keepalive.sccp.interval"), "30")
            if k > 1:
                self.assertEqual(ns(one(req, "keepalive.sccp.gap")), 30 * S)
                self.assertEqual(ns(one(req, "keepalive.sccp.lateness")), 0)
            if k <= acked:
                latency = r[self.at[self.T0 + 30 * k * S + 1 * MS]]
                self.assertEqual(ns(one(latency, "keepalive.sccp.ack_latency")), 1 * MS)
                self.assertEqual(int(one(latency, "keepalive.sccp.request")), self.k[k])


class TlsHealthy(OverTls, unittest.TestCase):
    """skinny-tls-healthy: six keepalives, each acknowledged 1 ms later."""
    NAME = "skinny-tls-healthy"

    def test_no_expert_info_at_all(self):
        with harness.decrypting(self.keys):
            self.assertEqual(experts(self, self.CAP), [])

    def test_keepalives(self):
        r = self.decrypted_rows()
        # The registration, every keepalive and its ack; not the handshakes nor the phone's ACKs.
        want = {self.at[self.T0], self.at[self.T0 + 2 * MS]}
        want |= {self.at[self.T0 + 30 * k * S + d] for k in range(1, 7) for d in (0, 1 * MS)}
        self.assertEqual(set(r), want)
        self.check_keepalives(r, acked=6)
        for k in range(1, 7):
            self.assertEqual(one(r[self.k[k]], "keepalive.sccp.missed"), "0")

    def test_stats(self):
        with harness.decrypting(self.keys):
            got = stats(self, self.CAP)
        self.assertEqual(got, {self.DEVICE + " @ " + self.SERVER: {"Keepalives": 6, "Acknowledged": 6}})

    def test_a_record_the_capture_dropped(self):
        # K(1)'s ack or K(2) dropped: Wireshark decrypts nothing more of that direction, and the
        # records it cannot read are the session's answers and keepalives. Nothing is raised.
        for dropped in (self.at[self.T0 + 30 * S + 1 * MS], self.k[2]):
            with self.subTest(dropped=dropped), tempfile.TemporaryDirectory() as d:
                cap = os.path.join(d, "dropped.pcap")
                subprocess.run(["editcap", self.CAP, cap, str(dropped)], check=True)
                with harness.decrypting(self.keys):
                    self.assertEqual(experts(self, cap), [])


class TlsStopsAcking(OverTls, unittest.TestCase):
    """skinny-tls-stops-acking: K(4..6) unacknowledged; the phone's FIN one interval after K(6) is
    the first frame past its deadline and carries the third miss and the failover."""
    NAME = "skinny-tls-stops-acking"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fin = cls.at[cls.T0 + 210100 * MS]

    def test_expert_infos(self):
        k = self.k
        with harness.decrypting(self.keys):
            got = experts(self, self.CAP)
        # The FIN is the first frame past K(6)'s interval: it carries the third miss and the failover.
        self.assertEqual(got, three_missed_then_failover([k[4], k[5], k[6]], [k[5], k[6], self.fin]) +
                         [fin_without_unregistration(self.fin)])

    def test_missed_counts(self):
        r = self.decrypted_rows()
        self.check_keepalives(r, acked=3)
        for k in range(1, 7):
            self.assertEqual(one(r[self.k[k]], "keepalive.sccp.missed"), str(max(0, k - 4)), k)
        for k in (5, 6):
            self.assertEqual(int(one(r[self.k[k]], "keepalive.sccp.request")), self.k[k - 1])
        fin = r[self.fin]
        self.assertEqual(fin["keepalive.sccp.missed"], ["3"])
        self.assertEqual(int(one(fin, "keepalive.sccp.request")), self.k[6])
        self.assertEqual(ns(one(fin, "keepalive.sccp.gap")), 210100 * MS - 180 * S)
        self.assertEqual(fin["keepalive.event"], [EV_FIN])

    def test_stats(self):
        with harness.decrypting(self.keys):
            got = stats(self, self.CAP)
        self.assertEqual(got, {self.DEVICE + " @ " + self.SERVER: {
            "Keepalives": 6, "Acknowledged": 3, "Unacknowledged": 3, "Failovers": 1}})


class TlsRetransmission(OverTls, unittest.TestCase):
    """skinny-tls-retransmission: K(3) lost once and retransmitted by TCP 300 ms later, a segment
    Wireshark neither decrypts again nor hands to SKINNY; the ack follows 1 ms after it."""
    NAME = "skinny-tls-retransmission"

    def test_retransmission_and_acks(self):
        k3, again = self.k[3], self.at[self.T0 + 90300 * MS]
        with harness.decrypting(self.keys):
            found = experts(self, self.CAP)
        self.assertEqual(found, [(again, "keepalive.retransmission",
                                  "KeepAliveReq sent again (retransmission 1, 300 ms after the previous "
                                  "transmission, first sent in frame %d)" % k3)])
        r = self.decrypted_rows()
        self.assertEqual(one(r[again], "keepalive.retrans.count"), "1")
        self.assertEqual(int(one(r[again], "keepalive.retrans.original")), k3)
        self.assertEqual(ns(one(r[again], "keepalive.retrans.gap")), 300 * MS)
        self.assertEqual(r[again]["skinny.messageId"], [])
        for k in range(1, 7):
            delivered = self.T0 + 30 * k * S + (300 * MS if k == 3 else 0)
            ack = r[self.at[delivered + 1 * MS]]
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), 301 * MS if k == 3 else 1 * MS, k)
            self.assertEqual(one(ack, "keepalive.retrans.count"), "1" if k == 3 else "0", k)
            self.assertEqual(int(one(ack, "keepalive.sccp.request")), self.k[k])

    def test_stats(self):
        with harness.decrypting(self.keys):
            got = stats(self, self.CAP)
        self.assertEqual(got, {self.DEVICE + " @ " + self.SERVER: {
            "Keepalives": 6, "Acknowledged": 6, "Retransmissions": 1}})


class DecodeAs(unittest.TestCase):
    """skinny-decode-as: SCCP on port 2001 is analysed only when decoded as SKINNY; several messages per segment."""
    CAP = gen("skinny-decode-as")
    DECODE = ["-d", "tcp.port==2001,skinny"]

    def test_not_skinny_without_decode_as(self):
        self.assertEqual(harness.fields(self.CAP, ["frame.number"], "keepalive"), [])

    def test_with_decode_as(self):
        one_pass = harness.fields(self.CAP, FIELDS + ["_ws.expert.message"], "keepalive", extra=self.DECODE)
        two_pass = harness.fields(self.CAP, FIELDS + ["_ws.expert.message"], "keepalive", two_pass=True, extra=self.DECODE)
        self.assertEqual(one_pass, two_pass)
        at = frames_at(self.CAP)
        r = {int(row["frame.number"][0]): row for row in one_pass}
        server = "10.40.5.5:2001/tcp"
        first = r[at[1 * MS]]  # RegisterReq + K(0)
        self.assertEqual(first["keepalive.endpoint"], ["SEP00235E445566"] * 2)
        self.assertEqual(first["keepalive.server"], [server] * 2)
        self.assertEqual(first["keepalive.role"], [])  # no RegisterAck yet
        second = r[at[3 * MS]]  # RegisterAck + KeepAliveAck for K(0)
        self.assertEqual(second["keepalive.event"], [EV_REGISTER_ACK])
        self.assertEqual(second["keepalive.role"], ["primary"] * 2)
        self.assertEqual(second["keepalive.sccp.interval"], ["20"] * 2)
        self.assertEqual(ns(one(second, "keepalive.sccp.ack_latency")), 2 * MS)
        total = 2 * MS
        for k in range(1, 5):
            total += 2500 * US
            ack = r[at[1 * MS + 20 * k * S + 2500 * US]]
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency")), 2500 * US)
            self.assertEqual(ns(one(ack, "keepalive.sccp.ack_latency_mean")), total // (k + 1))
        k6 = r[at[1 * MS + 120 * S]]
        self.assertEqual(one(k6, "keepalive.sccp.missed"), "1")
        self.assertEqual(int(one(k6, "keepalive.sccp.request")), at[1 * MS + 100 * S])
        messages = [m for row in one_pass for m in row["_ws.expert.message"] if m.startswith("KeepAliveReq")]
        self.assertEqual(messages, ["KeepAliveReq to the primary in frame %d got no KeepAliveAck before this one "
                                    "(1 keepalive without ack)" % at[1 * MS + 100 * S]])


class FailoverFallback(unittest.TestCase):
    """skinny-failover-fallback: the primary resets, the phone registers with the backup, then falls
    back to the primary on a new connection and keeps the backup's open for backup keepalives."""
    CAP = gen("skinny-failover-fallback")
    DEVICE = "SEP00235E7A8B9C"
    PRIMARY, BACKUP = "10.40.2.5:2000/tcp", "10.40.2.6:2000/tcp"

    @classmethod
    def setUpClass(cls):
        cls.at = frames_at(cls.CAP)

    def test_only_the_two_session_ends(self):
        self.assertEqual(experts(self, self.CAP), [
            (self.at[100 * S], "keepalive.unregister", "TCP reset ended the SCCP session without unregistration"),
            (self.at[230 * S], "keepalive.unregister",
             "Phone unregistered (UnregisterReq): the call manager stops expecting its keepalives"),
        ])

    def test_backup_keepalives_after_the_fallback(self):
        r = rows(self, self.CAP)
        for n in range(6):
            ka = r[self.at[250500 * MS + 60 * n * S]]
            self.assertEqual(one(ka, "keepalive.endpoint"), self.DEVICE)
            self.assertEqual(one(ka, "keepalive.server"), self.BACKUP)
            self.assertEqual(one(ka, "keepalive.role"), "backup")
            self.assertEqual(one(ka, "keepalive.sccp.interval"), "60")
            self.assertEqual(one(ka, "keepalive.sccp.missed"), "0")
            # n = 0: 30 s after its last keepalive as primary (T0 + 220.500).
            gap = 30 * S if n == 0 else 60 * S
            self.assertEqual(ns(one(ka, "keepalive.sccp.gap")), gap)
            self.assertEqual(ns(one(ka, "keepalive.sccp.lateness")), gap - 60 * S)

    def test_primary_again(self):
        r = rows(self, self.CAP)
        self.assertEqual(one(r[self.at[200010 * MS]], "keepalive.role"), "backup")  # the backup is primary then
        self.assertEqual(one(r[self.at[230012 * MS]], "keepalive.event"), EV_REGISTER_ACK)
        for k in range(1, 13):
            t = 230010 * MS + 30 * k * S
            self.assertEqual(one(r[self.at[t]], "keepalive.role"), "primary")
            self.assertEqual(one(r[self.at[t]], "keepalive.server"), self.PRIMARY)
            self.assertEqual(ns(one(r[self.at[t + 1 * MS]], "keepalive.sccp.ack_latency")), 1 * MS)

    def test_stats(self):
        self.assertEqual(stats(self, self.CAP), {
            self.DEVICE + " @ " + self.PRIMARY: {"Keepalives": 3 + 1 + 12, "Acknowledged": 3 + 12},
            self.DEVICE + " @ " + self.BACKUP: {"Keepalives": 2 + 4 + 6, "Acknowledged": 4},
        })


class ReregisterHalfOpenHealthy(unittest.TestCase):
    """skinny-reregister-half-open-healthy: the phone registers again on a new connection, the old one
    left half-open and silent: the call manager has replaced the registration, nothing is raised."""
    CAP = gen("skinny-reregister-half-open-healthy")
    DEVICE = "SEP00235E3C4D5E"

    def test_no_expert_info_at_all(self):
        self.assertEqual(experts(self, self.CAP), [])

    def test_new_connection_is_the_primary(self):
        at = frames_at(self.CAP)
        r = rows(self, self.CAP)
        self.assertEqual(one(r[at[125012 * MS]], "keepalive.event"), EV_REGISTER_ACK)
        for m in range(1, 7):
            ka = r[at[125010 * MS + 30 * m * S]]
            self.assertEqual(one(ka, "keepalive.endpoint"), self.DEVICE)
            self.assertEqual(one(ka, "keepalive.role"), "primary")
            self.assertEqual(one(ka, "keepalive.sccp.missed"), "0")
        self.assertEqual(stats(self, self.CAP), {
            self.DEVICE + " @ 10.40.3.5:2000/tcp": {"Keepalives": 4 + 6, "Acknowledged": 4 + 6}})

    def test_new_registration_half_captured(self):
        # The new RegisterReq, or its RegisterAck, dropped by the capture: the new connection's
        # KeepAliveAcks, or the RegisterAck by the phone's address, still show the re-registration.
        at = frames_at(self.CAP)
        for dropped in (at[125010 * MS], at[125012 * MS]):
            with self.subTest(dropped=dropped), tempfile.TemporaryDirectory() as d:
                cap = os.path.join(d, "dropped.pcap")
                subprocess.run(["editcap", self.CAP, cap, str(dropped)], check=True)
                self.assertEqual(experts(self, cap), [])


class ReregisterHalfOpen(unittest.TestCase):
    """skinny-reregister-half-open: the old connection's last keepalive K(4) was lost in the outage;
    the new registration shows that no ack will come: unacknowledged once, no failover."""
    CAP = gen("skinny-reregister-half-open")

    def test_one_unacknowledged_keepalive(self):
        at = frames_at(self.CAP)
        k4 = at[1 * MS + 120 * S]
        self.assertEqual(experts(self, self.CAP), [
            (at[125012 * MS], "keepalive.keepalive_unacked",
             "KeepAliveReq to the primary in frame %d not acknowledged before the phone registered again on "
             "another connection (1 keepalive without ack)" % k4)])
        r = rows(self, self.CAP)
        self.assertEqual(r[at[125012 * MS]]["keepalive.sccp.missed"], ["1"])
        self.assertEqual(ns(one(r[at[125012 * MS]], "keepalive.sccp.gap")), 125012 * MS - (1 * MS + 120 * S))
        self.assertEqual(int(one(r[at[125012 * MS]], "keepalive.sccp.request")), k4)
        # The old connection given up, then the new one's RegisterAck.
        self.assertEqual(r[at[125012 * MS]]["keepalive.event"], [EV_REGISTERED_ELSEWHERE, EV_REGISTER_ACK])
        self.assertEqual(stats(self, self.CAP), {
            "SEP00235E3C4D5E @ 10.40.3.5:2000/tcp": {"Keepalives": 4 + 6, "Acknowledged": 3 + 6, "Unacknowledged": 1}})


class NewAddressHalfOpenHealthy(ReregisterHalfOpenHealthy):
    """skinny-new-address-half-open-healthy: the same, the phone registering again from a new DHCP
    address (10.40.3.77). The device's name ties the two connections; with the new RegisterReq not
    captured, the old one's name, whose MAC the new connection's frames carry."""
    CAP = gen("skinny-new-address-half-open-healthy")


class SoftphoneNewAddressHealthy(ReregisterHalfOpenHealthy):
    """skinny-softphone-new-address-healthy: the same from a soft phone named by hand (CIPCJSMITH),
    which announces its new address by ARP before registering from it."""
    CAP = gen("skinny-softphone-new-address-healthy")
    DEVICE = "CIPCJSMITH"


class NewAddressHalfOpen(ReregisterHalfOpen):
    """skinny-new-address-half-open: skinny-reregister-half-open from a new DHCP address."""
    CAP = gen("skinny-new-address-half-open")


class ReregisterHalfOpenCapturedLater(unittest.TestCase):
    """Both scenarios above captured from the old connection's first KeepAliveReq (T0 + 30.001 s) on:
    no RegisterReq names the old connection, but it is the primary of the phone's address, which
    registers again. The findings are those of the whole capture."""
    START = 1 * MS + 30 * S
    HEALTHY, OUTAGE = "skinny-reregister-half-open-healthy", "skinny-reregister-half-open"

    def cut(self, name):
        """The capture from START on, and its frame number of each frame by its time in the whole."""
        whole = gen(name)
        at = frames_at(whole)
        first = at[self.START]
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        cut = os.path.join(d.name, name + ".pcap")
        subprocess.run(["editcap", "-F", "pcap", "-r", whole, cut, "%d-%d" % (first, max(at.values()))], check=True)
        return cut, {t: n - first + 1 for t, n in at.items() if n >= first}

    def test_healthy_stays_silent(self):
        cut, _ = self.cut(self.HEALTHY)
        self.assertEqual(experts(self, cut), [])

    def test_the_outage_keepalive_is_unacknowledged_once(self):
        cut, at = self.cut(self.OUTAGE)
        self.assertEqual(experts(self, cut), [
            (at[125012 * MS], "keepalive.keepalive_unacked",
             "KeepAliveReq to the primary in frame %d not acknowledged before the phone registered again on "
             "another connection (1 keepalive without ack)" % at[1 * MS + 120 * S])])


class NewAddressHalfOpenCapturedLater(ReregisterHalfOpenCapturedLater):
    """The new-address scenarios captured from the same point: neither the old connection's name
    nor the phone's address ties it to the new registration, the new RegisterReq's device name
    (SEP00235E3C4D5E) does, with the phone's MAC that both connections' frames carry."""
    HEALTHY, OUTAGE = "skinny-new-address-half-open-healthy", "skinny-new-address-half-open"

    def test_no_mac_to_tie_them(self):
        # Past a router (the phone's MAC replaced by the router's in every frame) or without
        # Ethernet (raw IP), nothing ties them: the old connection's silence since its last
        # keepalive, K(4) at T0 + 120.001 s, is the call manager's KeepAliveTimeout at
        # 3 x 30 s, reported on the first frame past T0 + 210.001 s: the new connection's third
        # KeepAliveReq (T0 + 215.010 s), 95.009 s after K(4).
        cut, at = self.cut(self.HEALTHY)
        phone, router = bytes.fromhex("00235e3c4d5e"), bytes.fromhex("00000c9f0001")
        with tempfile.TemporaryDirectory() as d:
            for name, rewrite, linktype in (("routed", lambda f, n: f[:12].replace(phone, router) + f[12:], 1),
                                            ("raw-ip", lambda f, n: f[14:], 101)):
                with self.subTest(name):
                    cap = os.path.join(d, name + ".pcap")
                    harness.rewrite_capture(cut, cap, rewrite, linktype)
                    self.assertEqual(experts(self, cap), [
                        (at[125010 * MS + 90 * S], "keepalive.failover",
                         "No keepalive for 95.0 s, more than 3 intervals of 30 s: the call manager drops the "
                         "phone (KeepAliveTimeout, reason 13)")])



class SoftphoneNewAddressCapturedLater(ReregisterHalfOpenCapturedLater):
    """skinny-softphone-new-address-healthy captured from the same point: no RegisterReq names the
    old connection, and the new one's name (CIPCJSMITH, a soft phone's, named by hand) carries no
    MAC. The phone's MAC announced its new address by ARP (T0 + 124 s) before it registered from
    it: that ties the two, and the old connection's silence is no failover."""
    HEALTHY = "skinny-softphone-new-address-healthy"
    test_the_outage_keepalive_is_unacknowledged_once = None  # no outage twin

    def test_without_the_announcement_nothing_ties_them(self):
        # The ARP frame dropped: the old connection's silence since K(4) (T0 + 120.001 s) is the call
        # manager's KeepAliveTimeout, reported on the new connection's third KeepAliveReq.
        cut, at = self.cut(self.HEALTHY)
        with tempfile.TemporaryDirectory() as d:
            cap = os.path.join(d, "no-arp.pcap")
            subprocess.run(["editcap", cut, cap, str(at[124 * S])], check=True)
            self.assertEqual(experts(self, cap), [
                (at[125010 * MS + 90 * S] - 1, "keepalive.failover",
                 "No keepalive for 95.0 s, more than 3 intervals of 30 s: the call manager drops the "
                 "phone (KeepAliveTimeout, reason 13)")])

class PrimaryBackupHealthyAcksNotCaptured(unittest.TestCase):
    """skinny-primary-backup-healthy without its KeepAliveAck frames, as from a capture that dropped
    them: the phone's ACKs of the call manager's bytes show the answers arrived. Nothing is raised."""

    def test_silent(self):
        whole = gen("skinny-primary-backup-healthy")
        acks = [r["frame.number"][0] for r in harness.fields(whole, ["frame.number"], "skinny.messageId == 0x0100")]
        self.assertGreater(len(acks), 5)
        with tempfile.TemporaryDirectory() as d:
            dropped = os.path.join(d, "acks-dropped.pcap")
            subprocess.run(["editcap", whole, dropped] + acks, check=True)
            warnings = [e for e in experts(self, dropped) if harness.EXPERTS[e[1]][1] in ("Warning", "Error")]
            self.assertEqual(warnings, [])


class SmokeCallManagerView(unittest.TestCase):
    """skinny-smoke: three acknowledged keepalives, then silence; CUCM logs KeepAliveTimeout at 181 s."""
    CAP = gen("skinny-smoke")

    def test_silence_is_the_call_managers_failover(self):
        at = frames_at(self.CAP)
        t_last = 2 * MS + 90 * S  # the third keepalive
        syslog = at[181 * S]  # the first frame past t_last + 3 x 30 s
        found = [(f, name, msg) for f, name, msg in experts(self, self.CAP) if name.startswith("keepalive.failover")]
        self.assertEqual(found, [(syslog, "keepalive.failover",
                                  "No keepalive for 91.0 s, more than 3 intervals of 30 s: "
                                  "the call manager drops the phone (KeepAliveTimeout, reason 13)")])
        r = rows(self, self.CAP)
        # The verdict, and the syslog message, linked to the call manager the keepalives went to.
        self.assertEqual(r[syslog]["keepalive.server"], ["10.10.20.5:2000/tcp"] * 2)
        self.assertEqual(ns(one(r[syslog], "keepalive.sccp.gap")), 181 * S - t_last)
        self.assertEqual(int(one(r[syslog], "keepalive.sccp.request")), at[t_last])
        self.assertEqual(one(r[syslog], "keepalive.sccp.missed"), "0")


class PublicCaptures(unittest.TestCase):
    def test_7912_one_keepalive_acked_after_1ms(self):
        cap = pub("sccp-7912-register-keepalive.pyskinny.pcapng")
        self.assertEqual(experts(self, cap), [])
        r = rows(self, cap)
        # Frames 31 RegisterReq (SEP001380AD9E5F), 33 RegisterAck (30/60), 76 KeepAliveReq, 77 KeepAliveAck.
        self.assertEqual(sorted(r), [31, 33, 76, 77])
        self.assertEqual(one(r[33], "keepalive.event"), EV_REGISTER_ACK)
        self.assertEqual(one(r[76], "keepalive.role"), "primary")
        self.assertEqual(one(r[76], "keepalive.sccp.interval"), "30")
        self.assertEqual(one(r[77], "keepalive.endpoint"), "SEP001380AD9E5F")
        self.assertEqual(one(r[77], "keepalive.server"), "10.0.0.180:2000/tcp")
        # 64.287754000 - 64.286670000
        self.assertEqual(ns(one(r[77], "keepalive.sccp.ack_latency")), 1084 * US)
        self.assertEqual(ns(one(r[77], "keepalive.sccp.ack_latency_mean")), 1084 * US)

    def test_register_and_call_raise_nothing(self):
        cap = pub("sccp-register.ndpi.pcapng")
        self.assertEqual(experts(self, cap), [])
        r = rows(self, cap)
        self.assertEqual(sorted(r), [4, 8])  # RegisterReq NONSECURE_CONF, RegisterAck
        self.assertEqual(one(r[4], "keepalive.endpoint"), "NONSECURE_CONF")
        self.assertEqual(one(r[8], "keepalive.role"), "primary")
        cap = pub("sccp-call.ndpi.pcap")  # call signalling only: no session-defining message
        self.assertEqual(experts(self, cap), [])
        self.assertEqual(rows(self, cap), {})

    def test_unacked_keepalives_are_backup_sessions(self):
        # Streams 1 and 2 (10.102.172.11:61041/61042 -> 10.0.0.11:2000) started before the capture: only
        # KeepAliveReq every 30 s, answered by TCP ACKs only, both reset by the server at 7,298 s. No RegisterAck
        # and no KeepAliveAck: SPEC §3.3 makes them backup sessions, which raise nothing. The RegisterAcks of the
        # capture (malformed for 4.0) carry keepAliveInterval 30 but no secondaryKeepAliveInterval, so the backup
        # interval is the sccp_backup_interval preference.
        cap = pub("sccp-unacked-keepalives.pyskinny.pcapng")
        content = harness.fields(cap, ["frame.number", "tcp.stream", "skinny.messageId", "tcp.flags.reset", "tcp.flags.fin"])
        ids = {}
        for row in content:
            for m in row["skinny.messageId"]:
                ids.setdefault(m, []).append((int(row["frame.number"][0]), int(row["tcp.stream"][0])))
        keepalives = {s: [f for f, st in ids[KEEPALIVE_REQ] if st == s] for s in (1, 2)}
        self.assertEqual([len(keepalives[1]), len(keepalives[2])], [244, 244])
        self.assertNotIn(KEEPALIVE_ACK, ids)
        resets = [int(row["frame.number"][0]) for row in content if any(harness.true(v) for v in row["tcp.flags.reset"])]
        self.assertEqual(resets, [1469, 1470])

        found = experts(self, cap)
        self.assertTrue(all(name == "keepalive.unregister" for _, name, _ in found), found)
        # One note per end of a live session the phone registered: 28 UnregisterReq, 7 RegisterReject.
        # The two resets end backup sessions: annotated below, but no de-registration (SPEC §4).
        unregister = sorted(f for f, _ in ids["39"])
        reject = sorted(f for f, _ in ids["157"])
        self.assertEqual((len(unregister), len(reject)), (28, 7))
        self.assertEqual(sorted(f for f, _, _ in found), sorted(unregister + reject))

        r = rows(self, cap)
        for s in (1, 2):
            first, rest = keepalives[s][0], keepalives[s][1:]
            self.assertEqual(r[first]["keepalive.role"], [])  # no evidence yet on the first
            for f in rest:  # the previous one was TCP-acknowledged without KeepAliveAck
                self.assertEqual(one(r[f], "keepalive.role"), "backup", f)
                self.assertEqual(one(r[f], "keepalive.sccp.interval"), "60", f)
                self.assertEqual(one(r[f], "keepalive.sccp.missed"), "0", f)
                self.assertEqual(one(r[f], "keepalive.server"), "10.0.0.11:2000/tcp")
                # One IP, one phone: the name comes from the RegisterReq of 10.102.172.11 in frame 4.
                self.assertEqual(one(r[f], "keepalive.endpoint"), "pyskinny01")
        for f in resets:
            self.assertEqual(one(r[f], "keepalive.event"), EV_RESET)
            self.assertEqual(one(r[f], "keepalive.role"), "backup")
        for f, _ in ids[REGISTER_ACK]:
            self.assertEqual(one(r[f], "keepalive.role"), "primary")  # primary by definition
            self.assertEqual(one(r[f], "keepalive.sccp.interval"), "30")
        counts = {}
        for node in stats(self, cap).values():
            for k, v in node.items():
                counts[k] = counts.get(k, 0) + v
        self.assertEqual(counts, {"Keepalives": len(ids[KEEPALIVE_REQ])})


if __name__ == "__main__":
    harness.main()
