#!/usr/bin/env python3
"""CUCM syslog (SPEC §3.5). Captured on a syslog relay: an alarm seen on both legs is reported and
counted once, its copy names it; a device that unregisters again is reported again. After a
failover, the alarm links the last keepalive to its sender. At a second capture point, it links the
last refresh sent before it. A transient connection's reason is not named as an unregistration's.
Over TCP, each message is read on the segment where it ends, whichever framing its sender uses;
over TLS, once decrypted.
Expected frames and values come from the scenario headers
(captures/generator/scenarios/path-syslog-*.cpp, skinny-failover-syslog.cpp)."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_stats import parse_tree  # noqa: E402

FIELDS = ["frame.number", "keepalive.endpoint", "keepalive.syslog.reason", "keepalive.syslog.ip",
          "keepalive.syslog.copy_of"]
UNREGISTERED = "keepalive.endpoint_unregistered"
PHONE_1, PHONE_2 = "SEP001E4A303031", "SEP001E4A303032"


def capture(name):
    return os.path.join(harness.GENERATED, name + ".pcap")


def rows(test, cap):
    return [[",".join(r[n]) for n in FIELDS] for r in harness.fields_both_passes(test, cap, FIELDS, "keepalive")]


def unregistered_counts(test, cap):
    """{endpoint node: (annotations, Unregistered (syslog))} of the statistics tree, checked in both passes."""
    counts = []
    for two_pass in (False, True):
        tree = parse_tree(harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap, two_pass=two_pass))
        counts.append({n: (c["total"], c.get("Unregistered (syslog)", 0)) for n, c in tree.items()})
    test.assertEqual(counts[0], counts[1])
    return counts[0]


class Relay(unittest.TestCase):
    """Frames 1 and 3 reach the relay from the call managers; 2 and 4 are the relay's copies."""

    CAP = capture("path-syslog-relay")

    def test_each_alarm_is_reported_once(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(f, n) for f, n, _ in experts], [(1, UNREGISTERED), (3, UNREGISTERED)])
        self.assertEqual(experts[0][2], "Call manager unregistered %s: reason 13 KeepAliveTimeout, last signal "
                                        "StationKeepAlive; no keepalive or refresh of it in the capture" % PHONE_1)
        # The pre-8.0 alarm: no LastSignalReceived in it.
        self.assertEqual(experts[1][2], "Call manager unregistered %s: reason 12 SCCPDeviceThrottling; no keepalive "
                                        "or refresh of it in the capture" % PHONE_2)

    def test_copies_name_their_original(self):
        self.assertEqual(rows(self, self.CAP), [
            ["1", PHONE_1, "13", "10.10.30.31", ""],
            ["2", PHONE_1, "13", "10.10.30.31", "1"],
            ["3", PHONE_2, "12", "10.10.31.32", ""],
            ["4", PHONE_2, "12", "10.10.31.32", "3"],
        ])

    def test_statistics_count_each_alarm_once(self):
        self.assertEqual(unregistered_counts(self, self.CAP), {PHONE_1: (2, 1), PHONE_2: (2, 1)})


class Flapping(unittest.TestCase):
    """The same alarm text 1.5 s apart, and again a minute apart: four alarms, each relayed."""

    CAP = capture("path-syslog-flapping")

    def test_every_alarm_is_reported(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(f, n) for f, n, _ in experts], [(f, UNREGISTERED) for f in (1, 3, 5, 7)])

    def test_each_copy_names_its_own_original(self):
        self.assertEqual(rows(self, self.CAP), [
            [str(f), PHONE_1, reason, "10.10.30.31", "" if f % 2 else str(f - 1)]
            for f, reason in zip(range(1, 9), ["6"] * 4 + ["13"] * 4)
        ])

    def test_statistics_count_four_alarms(self):
        self.assertEqual(unregistered_counts(self, self.CAP), {PHONE_1: (8, 4)})


class OverTcp(unittest.TestCase):
    """path-syslog-tcp: the call manager's connection to port 514 (messages ended by LF) and a
    relay's to port 601 (octet-counted), on the collector's switch port."""

    CAP = capture("path-syslog-tcp")

    def test_each_message_is_read_where_it_ends(self):
        # Whole (7, 9, 16), two in one segment (11), split after 100 bytes (13/14), split after the
        # octet count (19/20), after the end of a message whose start the capture lacks (22); the
        # retransmission 17 of 16 is not read again.
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(f, n) for f, n, _ in experts], [(f, UNREGISTERED) for f in (7, 11, 11, 14, 16, 20, 22)])
        self.assertEqual(experts[3][2], "Call manager unregistered SEP001E4A303034: reason 8 DeviceInitiatedReset, "
                                        "last signal StationKeepAlive; no keepalive or refresh of it in the capture")

    def test_the_relays_copy_names_its_original(self):
        self.assertEqual(rows(self, self.CAP), [
            ["7", PHONE_1, "13", "10.10.30.31", ""],
            ["9", PHONE_1, "13", "10.10.30.31", "7"],
            ["11", PHONE_2 + ",SEP001E4A303033", "6,13", "10.10.30.32,10.10.30.33", ""],
            ["14", "SEP001E4A303034", "8", "10.10.30.34", ""],
            ["16", "SEP001E4A303035", "13", "10.10.30.35", ""],
            ["20", "SEP001E4A303036", "13", "10.10.30.36", ""],
            ["22", "SEP001E4A303037", "13", "10.10.30.37", ""],
        ])

    def test_registrations_say_nothing(self):
        # The healthy twin: the same frames, every alarm an EndPointRegistered.
        cap = capture("path-syslog-tcp-registered")
        self.assertEqual(len(harness.tshark(["-T", "fields", "-e", "frame.number"], capture=cap).split()), 23)
        self.assertEqual(harness.experts_both_passes(self, cap), [])
        self.assertEqual(harness.fields_both_passes(self, cap, ["frame.number"], "keepalive"), [])


class OverTls(unittest.TestCase):
    """path-syslog-tls: the call manager's connection to port 6514 over TLS, octet-counted."""

    CAP = capture("path-syslog-tls")
    KEYS = os.path.join(harness.GENERATED, "path-syslog-tls.keys")

    def test_read_once_decrypted(self):
        # Wireshark 4.0 and 4.2 take port 6514 for TLS only when told.
        self.assertEqual(harness.experts_both_passes(self, self.CAP), [])
        with harness.extra_args(["-d", "tcp.port==6514,tls"]), harness.decrypting(self.KEYS):
            experts = harness.experts_both_passes(self, self.CAP)
            self.assertEqual([(f, n) for f, n, _ in experts], [(f, UNREGISTERED) for f in (8, 10, 10, 13)])
            self.assertEqual(rows(self, self.CAP), [
                ["8", PHONE_1, "13", "10.10.30.31", ""],
                ["10", PHONE_2 + ",SEP001E4A303033", "6,13", "10.10.30.32,10.10.30.33", ""],
                ["13", "SEP001E4A303034", "8", "10.10.30.34", ""],
            ])


class FailoverAlarm(unittest.TestCase):
    """skinny-failover-syslog: the primary's KeepAliveTimeout alarm comes after the phone failed over
    and keeps alive with its backup. It links the last keepalive to the primary, the alarm's
    sender, not the phone's latest, to the backup."""
    CAP = capture("skinny-failover-syslog")
    T0 = 1685700000.0  # 2023-06-02 10:00:00 UTC

    def frame_at(self, t, dst):
        rows = harness.fields(self.CAP, ["frame.number", "frame.time_epoch", "ip.dst"])
        return next(int(r["frame.number"][0]) for r in rows
                    if abs(float(r["frame.time_epoch"][0]) - (self.T0 + t)) < 1e-7 and r["ip.dst"] == [dst])

    def test_the_alarm_links_the_last_keepalive_to_its_sender(self):
        k7 = self.frame_at(210.001, "10.40.1.5")
        alarm = self.frame_at(275.0, "10.40.1.50")
        rows = harness.fields_both_passes(self, self.CAP, ["frame.number", "keepalive.server", "keepalive.syslog.last_seen",
                                                           "keepalive.syslog.age"], "keepalive.syslog.reason")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["frame.number"], [str(alarm)])
        self.assertEqual(rows[0]["keepalive.server"], ["10.40.1.5:2000/tcp"])
        self.assertEqual(rows[0]["keepalive.syslog.last_seen"], [str(k7)])
        self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.syslog.age"][0]), 275.0 - 210.001, places=6)
        experts = [e for e in harness.experts_both_passes(self, self.CAP) if e[1] == UNREGISTERED]
        self.assertEqual(experts, [(alarm, UNREGISTERED, "Call manager unregistered SEP00235E4D5E6F: reason 13 "
                                    "KeepAliveTimeout, last signal StationKeepAlive; its last keepalive/refresh in the "
                                    "capture: frame %d, 65.0 s earlier" % k7)])


class TwoPoints(unittest.TestCase):
    """path-syslog-two-points: REGISTER 4, 20 s late, passes the phone's point before the alarm passes
    the call manager's (clock 5.317 s ahead), though it was sent 4.96 s after it. The alarm's last
    refresh is REGISTER 3's phone-side frame, not REGISTER 4's."""
    CAP = os.path.join(harness.GENERATED, "path-syslog-two-points.pcapng")

    def phone_side_register(self, cseq):
        rows = harness.fields(self.CAP, ["frame.number", "frame.interface_id", "sip.CSeq.seq"], 'sip.Method == "REGISTER"')
        return next(int(r["frame.number"][0]) for r in rows if r["sip.CSeq.seq"] == [str(cseq)] and r["frame.interface_id"] == ["0"])

    def test_the_alarm_links_the_refresh_sent_before_it(self):
        r3, r4 = self.phone_side_register(103), self.phone_side_register(104)
        rows = harness.fields_both_passes(self, self.CAP, ["frame.number", "keepalive.syslog.last_seen", "keepalive.syslog.age"],
                                          "keepalive.syslog.reason")
        self.assertEqual(len(rows), 1)
        self.assertGreater(int(rows[0]["frame.number"][0]), r4)  # after REGISTER 4 in the file
        self.assertEqual(rows[0]["keepalive.syslog.last_seen"], [str(r3)])
        # Sent 130.040 s after the call manager sent 200 OK(3), 16 ms - 302 us after REGISTER 3.
        self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.syslog.age"][0]), 130.04 + 0.016 - 0.000302, places=6)


class Transient(unittest.TestCase):
    """path-syslog-transient: a transient connection's Reason_Code 13 is shown by its number in a
    field of its own, not as unregistration reason 13 KeepAliveTimeout; an unregistration for
    reason 23 is named."""
    CAP = capture("path-syslog-transient")

    def test_the_transient_reason_is_not_an_unregistration_reason(self):
        rows = harness.fields_both_passes(self, self.CAP, ["frame.number", "keepalive.endpoint", "keepalive.syslog.reason",
                                                           "keepalive.syslog.transient_reason"], "keepalive")
        self.assertEqual([[",".join(v) for v in r.values()] for r in rows], [
            ["1", "SEP001E4A303031", "", "13"],
            ["2", "SEP001E4A303032", "23", ""],
        ])
        self.assertEqual(harness.experts_both_passes(self, self.CAP), [
            (2, UNREGISTERED, "Call manager unregistered SEP001E4A303032: reason 23 SourceIPAddrChanged, last signal "
                              "SIPStationDPrimaryLine; no keepalive or refresh of it in the capture")])


if __name__ == "__main__":
    harness.main()
