#!/usr/bin/env python3
"""ARP mismatch, misdirected signalling and CUCM syslog (SPEC §3.4, §3.5) on the path scenarios.
Expected frames and values come from the scenario headers (captures/generator/scenarios/path-*.cpp)."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PATH_EXPERTS = ("keepalive.arp_mismatch", "keepalive.misdirected", "keepalive.endpoint_unregistered",
                "keepalive.path_loss")
PATH_FIELDS = ["frame.number", "keepalive.arp.ip", "keepalive.arp.claimed_mac", "keepalive.arp.owner_mac",
               "keepalive.arp.frame", "keepalive.arp.owner_frame", "keepalive.arp.claims"]
SYSLOG_FIELDS = ["frame.number", "keepalive.endpoint", "keepalive.syslog.reason", "keepalive.syslog.last_seen",
                 "keepalive.syslog.age", "keepalive.syslog.last_signal", "keepalive.syslog.ip",
                 "keepalive.syslog.protocol"]

PHONE_MAC, CM_MAC, PROXY_MAC = "58:0a:20:fb:07:1f", "f4:0f:1b:1e:26:a9", "00:50:56:90:10:cf"
CM_IP = "10.10.10.202"
T_REG = 1.002  # RegisterReq, offset from T0


def capture(name):
    return os.path.join(harness.GENERATED, name)


def warnings_and_errors(experts):
    return [e for e in experts if harness.EXPERTS[e[1]][1] in ("Warning", "Error")]


class CaseStudyA(unittest.TestCase):
    """Proxy ARP wins the second ARP race; keepalives go to the firewall's MAC."""

    CAP = capture("path-case-study-a.pcap")
    # Frame numbers from the header's timeline.
    PROXY_FIRST_CLAIM = 6        # the proxy's reply, second in the first race
    SYN_ACK = 8                  # the call manager's first IP frame
    LAST_ACK_FROM_CM = 11 + 3 * 4  # KeepAliveAck of k = 4
    PROXY_WINS = 27
    MISDIRECTED = [24 + k for k in (5, 6, 7)]
    FIN = 32
    SYSLOG = 33

    def test_experts(self):
        experts = harness.experts_both_passes(self, self.CAP)
        path = [(f, n) for f, n, _ in experts if n in PATH_EXPERTS]
        self.assertEqual(path, [(self.SYN_ACK, "keepalive.arp_mismatch"), (self.PROXY_WINS, "keepalive.arp_mismatch")]
                         + [(f, "keepalive.misdirected") for f in self.MISDIRECTED]
                         + [(self.SYSLOG, "keepalive.endpoint_unregistered")])
        # The story: the misdirected keepalives go unacknowledged and the phone fails over before the
        # call manager's verdict.
        self.assertIn((self.FIN, "keepalive.failover"), [(f, n) for f, n, _ in experts])
        messages = {(f, n): m for f, n, m in experts}
        m = messages[(self.PROXY_WINS, "keepalive.arp_mismatch")]
        self.assertIn("ARP says %s is at %s but %s's own frames come from %s: proxy ARP or spoofing"
                      % (CM_IP, PROXY_MAC, CM_IP, CM_MAC), m)
        self.assertIn("%s answers for 2 addresses" % PROXY_MAC, m)
        self.assertIn("ARP frame %d" % self.PROXY_FIRST_CLAIM, messages[(self.SYN_ACK, "keepalive.arp_mismatch")])
        self.assertIn("in ARP frame %d" % self.PROXY_WINS, messages[(self.MISDIRECTED[0], "keepalive.misdirected")])
        self.assertIn("reason 13 KeepAliveTimeout", messages[(self.SYSLOG, "keepalive.endpoint_unregistered")])

    def test_arp_fields_name_the_impostor(self):
        rows = harness.fields_both_passes(self, self.CAP, PATH_FIELDS, "keepalive.arp.ip")
        expected = [
            # Deferred: the owner's first frame settles the claim made before it (and is this frame).
            [str(self.SYN_ACK), CM_IP, PROXY_MAC, CM_MAC, str(self.PROXY_FIRST_CLAIM), "", "2"],
            # Known at once: the owner's latest frame before the claim.
            [str(self.PROXY_WINS), CM_IP, PROXY_MAC, CM_MAC, "", str(self.LAST_ACK_FROM_CM), "2"],
        ] + [[str(f), CM_IP, PROXY_MAC, CM_MAC, str(self.PROXY_WINS), str(self.LAST_ACK_FROM_CM), "2"]
             for f in self.MISDIRECTED]
        self.assertEqual([[",".join(r[n]) for n in PATH_FIELDS] for r in rows], expected)

    def test_misdirected_frames_are_the_keepalives_to_the_proxy(self):
        rows = harness.fields_both_passes(self, self.CAP, ["frame.number", "eth.dst", "frame.time_relative",
                                                           "keepalive.server"], "keepalive.misdirected")
        self.assertEqual([int(r["frame.number"][0]) for r in rows], self.MISDIRECTED)
        for r, k in zip(rows, (5, 6, 7)):
            self.assertEqual(r["eth.dst"][-1:], [PROXY_MAC])  # the innermost, in a tunnelled copy
            self.assertAlmostEqual(float(r["frame.time_relative"][0]), T_REG + 30 * k, places=6)
            self.assertIn("%s:2000/tcp" % CM_IP, r["keepalive.server"])

    def test_syslog_links_to_the_last_keepalive(self):
        rows = harness.fields_both_passes(self, self.CAP, SYSLOG_FIELDS, "keepalive.syslog.reason")
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual(r["frame.number"], [str(self.SYSLOG)])
        self.assertEqual(r["keepalive.endpoint"], ["SEP580A20FB071F"])
        self.assertEqual(r["keepalive.syslog.reason"], ["13"])
        self.assertEqual(r["keepalive.syslog.last_seen"], [str(self.MISDIRECTED[-1])])
        self.assertAlmostEqual(harness.seconds(r["keepalive.syslog.age"][0]), 245.0 - (T_REG + 30 * 7), places=9)
        self.assertEqual(r["keepalive.syslog.last_signal"], ["StationKeepAlive"])
        self.assertEqual(r["keepalive.syslog.ip"], ["10.10.10.130"])
        self.assertEqual(r["keepalive.syslog.protocol"], ["SCCP"])

    def test_statistics_count_the_path_findings(self):
        out = harness.tshark(["-q", "-z", "keepalive,tree"], capture=self.CAP)
        counts = {}
        for line in out.splitlines():
            cols = line.split()
            for label in ("ARP mismatches", "Misdirected", "Unregistered (syslog)"):
                if line.strip().startswith(label):
                    counts[label] = counts.get(label, 0) + int(line.strip()[len(label):].split()[0])
        self.assertEqual(counts.get("ARP mismatches"), 2, out)
        self.assertEqual(counts.get("Misdirected"), 3, out)
        self.assertEqual(counts.get("Unregistered (syslog)"), 1, out)


class ProxyArpAgain(unittest.TestCase):
    """Case study A until its frame 31, then the proxy answers the phone's ARP again while the call
    manager, which the phone's keepalives no longer reach, has been quiet for 279 s."""

    CAP = capture("path-proxy-arp-again.pcap")
    LAST_ACK_FROM_CM = CaseStudyA.LAST_ACK_FROM_CM
    PROXY_AGAIN = 33
    RETRANSMISSION = 35  # of keepalive k = 7, to the proxy's MAC
    SYSLOG = 37

    def test_the_proxy_found_false_is_still_reported_after_answering_again(self):
        experts = harness.experts_both_passes(self, self.CAP)
        path = [(f, n) for f, n, _ in experts if n in PATH_EXPERTS]
        # As in case study A, then no mismatch on frame 33 (the owner's latest frame is 279 s old),
        # but the keepalive sent to the proxy after it is misdirected.
        self.assertEqual(path, [(CaseStudyA.SYN_ACK, "keepalive.arp_mismatch"),
                                (CaseStudyA.PROXY_WINS, "keepalive.arp_mismatch")]
                         + [(f, "keepalive.misdirected") for f in CaseStudyA.MISDIRECTED + [self.RETRANSMISSION]]
                         + [(self.SYSLOG, "keepalive.endpoint_unregistered")])
        rows = harness.fields_both_passes(self, self.CAP, PATH_FIELDS + ["eth.dst", "frame.time_relative"],
                                          "keepalive.misdirected")
        last = rows[-1]
        self.assertEqual(last["frame.number"], [str(self.RETRANSMISSION)])
        self.assertEqual(last["eth.dst"], [PROXY_MAC])
        self.assertAlmostEqual(float(last["frame.time_relative"][0]), 401.002, places=6)
        # Linked to the claim that drew it, and to the owner's latest frame.
        self.assertEqual(last["keepalive.arp.frame"], [str(self.PROXY_AGAIN)])
        self.assertEqual(last["keepalive.arp.owner_frame"], [str(self.LAST_ACK_FROM_CM)])
        self.assertEqual(last["keepalive.arp.claimed_mac"], [PROXY_MAC])
        self.assertEqual(last["keepalive.arp.owner_mac"], [CM_MAC])
        # The call manager's verdict: its last keepalive is k = 7, the retransmission is none.
        syslog = harness.fields_both_passes(self, self.CAP, SYSLOG_FIELDS, "keepalive.syslog.reason")
        self.assertEqual([r["frame.number"] for r in syslog], [[str(self.SYSLOG)]])
        self.assertEqual(syslog[0]["keepalive.syslog.last_seen"], [str(CaseStudyA.MISDIRECTED[-1])])
        self.assertAlmostEqual(harness.seconds(syslog[0]["keepalive.syslog.age"][0]), 405.0 - (T_REG + 30 * 7),
                               places=9)


class HealthyTwins(unittest.TestCase):
    def assert_silent(self, name):
        cap = capture(name)
        self.assertEqual(warnings_and_errors(harness.experts_both_passes(self, cap)), [])
        self.assertEqual(harness.fields_both_passes(self, cap, PATH_FIELDS, "keepalive.arp.ip"), [])

    def test_case_study_a_without_the_proxy(self):
        self.assert_silent("path-case-study-a-healthy.pcap")

    def test_routed_server_vrrp_failover_dhcp_change_and_nic_swap(self):
        self.assert_silent("path-routed-vrrp-dhcp.pcap")

    def test_addresses_reused_an_hour_after_their_old_mac_went_silent(self):
        self.assert_silent("path-address-reused-late.pcap")

    def test_two_vlans_reusing_one_address_plan(self):
        self.assert_silent("path-trunk-overlap.pcap")

    def test_a_standby_taking_over_the_registrar_address(self):
        self.assert_silent("path-takeover.pcap")


class DuplicateAddress(unittest.TestCase):
    """path-takeover, but the old master goes on answering a phone after the new MAC's own frames
    (path-takeover.cpp)."""

    CAP = capture("path-duplicate-address.pcap")
    VIP, NODE1, NODE2 = "10.40.0.1", "52:54:00:40:00:01", "52:54:00:40:00:02"
    ANNOUNCEMENT = 9      # node2's second gratuitous ARP: what phone A followed
    REPLY_TO_B = 12       # node2's latest ARP frame
    NODE1_AGAIN = 18      # node1's 200 OK to C at 117.002 s, after node2's frames 14 and 16
    A_TO_NODE2 = 19

    def test_the_old_master_still_answering_confirms_the_conflict(self):
        experts = harness.experts_both_passes(self, self.CAP)
        self.assertEqual([(f, n) for f, n, _ in experts if n in PATH_EXPERTS],
                         [(self.NODE1_AGAIN, "keepalive.arp_mismatch"), (self.A_TO_NODE2, "keepalive.misdirected")])
        rows = harness.fields_both_passes(self, self.CAP, PATH_FIELDS, "keepalive.arp.ip")
        self.assertEqual([[",".join(r[n]) for n in PATH_FIELDS] for r in rows], [
            # Deferred: reported on node1's frame, linked to node2's latest claim.
            [str(self.NODE1_AGAIN), self.VIP, self.NODE2, self.NODE1, str(self.REPLY_TO_B), "", "1"],
            # Node2 never answered phone A: the announcement drew its REGISTER.
            [str(self.A_TO_NODE2), self.VIP, self.NODE2, self.NODE1, str(self.ANNOUNCEMENT), str(self.NODE1_AGAIN), "1"],
        ])


class SkinnySmokeSyslog(unittest.TestCase):
    def test_syslog_points_at_the_third_keepalive(self):
        # skinny-smoke: keepalive k = 3 at 90.002 s is frame 15; the syslog (frame 18) at 181 s.
        rows = harness.fields_both_passes(self, capture("skinny-smoke.pcap"), SYSLOG_FIELDS, "keepalive.syslog.reason")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["frame.number"], ["18"])
        self.assertEqual(rows[0]["keepalive.syslog.last_seen"], ["15"])
        self.assertAlmostEqual(harness.seconds(rows[0]["keepalive.syslog.age"][0]), 181.0 - 90.002, places=9)
        self.assertIn("SEP001E4A345678", rows[0]["keepalive.endpoint"])


class RoutedSpan(unittest.TestCase):
    """Both VLANs of a router mirrored: each packet twice, 60 us apart, the copy with TTL one lower
    (path-routed-span*.cpp). A copy is not a retransmission, and no time is taken from it."""

    FIELDS = ["frame.number", "vlan.id", "ip.src", "keepalive.refresh.margin",
              "keepalive.retrans.count", "keepalive.retrans.gap", "keepalive.sccp.gap"]
    UDP, TCP, SCCP = "10.50.10.11", "10.50.10.12", "10.50.10.13"

    def values(self, rows, name):
        return [v for r in rows for v in r[name]]

    def check(self, lossy):
        cap = capture("path-routed-span.pcap" if lossy else "path-routed-span-healthy.pcap")
        rows = harness.fields_both_passes(self, cap, self.FIELDS, "keepalive")
        # Only first sightings are annotated, so every time and count is theirs: a phone's frame on
        # VLAN 10, the registrar's on 20 (the copy of a UDP response too).
        for r in rows:
            if r["ip.src"]:
                self.assertEqual(r["vlan.id"], ["20"] if r["ip.src"] == ["10.50.20.5"] else ["10"], r["frame.number"])
        # Times come from first sightings: gaps of exactly 30 s, margins as the header derives them.
        self.assertEqual(self.values(rows, "keepalive.sccp.gap"), ["30.000000000"] * 13)
        margins = sorted(round(harness.seconds(v), 6) for v in self.values(rows, "keepalive.refresh.margin"))
        udp = [14.49 if lossy else 14.99] + [14.99] * 2
        tcp = [14.79968 if lossy else 14.99968] + [14.99968] * 2
        self.assertEqual(margins, sorted(udp + tcp))
        experts = harness.experts_both_passes(self, cap)
        if not lossy:
            self.assertEqual(experts, [])
            return
        retrans = {f for f, n, _ in experts if n == "keepalive.retransmission"}
        self.assertEqual([n for _, n, _ in experts], ["keepalive.retransmission"] * 3)
        resent = [r for r in rows if int(r["frame.number"][0]) in retrans]
        self.assertEqual([(r["ip.src"], r["keepalive.retrans.count"], round(harness.seconds(r["keepalive.retrans.gap"][0]), 6))
                          for r in resent],
                         [([self.UDP], ["1"], 0.5), ([self.SCCP], ["1"], 0.3), ([self.TCP], ["1"], 0.2)])

    def test_healthy_twin_silent(self):
        self.check(lossy=False)

    def test_each_resend_counted_once(self):
        self.check(lossy=True)


if __name__ == "__main__":
    harness.main()
