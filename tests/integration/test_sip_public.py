#!/usr/bin/env python3
"""Public SIP captures (captures/third_party, see ATTRIBUTION.md): the annotations their content
implies, and no false alarm. Times and frame numbers are read from the captures' own SIP and
TCP fields, never from the plugin."""
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sip_expect import S, absolute, by_frame, epoch, rel  # noqa: E402


def capture(name):
    return os.path.join(harness.PUBLIC, name)


def content(cap, extra=()):
    """frame number -> {field: value} of the capture's SIP frames (no plugin field)."""
    names = ["frame.number", "frame.time_epoch", "sip.Method", "sip.Status-Code", "sip.CSeq.seq", "sip.CSeq.method",
             "sip.resend", "tcp.stream", "tcp.nxtseq"] + list(extra)
    rows = harness.fields(cap, names, "sip")
    return {int(r["frame.number"][0]): {k: (v[0] if v else "") for k, v in r.items()} for r in rows}


def time_of(cap, frame):
    return epoch(harness.fields(cap, ["frame.time_epoch"], "frame.number == %d" % frame)[0]["frame.time_epoch"][0])


def first_ack(cap, after, stream, end):
    """The first frame after `after` in TCP stream `stream` from the server acknowledging `end`."""
    rows = harness.fields(cap, ["frame.number", "tcp.ack", "tcp.srcport", "tcp.dstport"],
                          "tcp.stream == %s && frame.number > %d && tcp.flags.ack == 1 && tcp.ack >= %s" %
                          (stream, after, end))
    return int(rows[0]["frame.number"][0])


def annotated(test, cap):
    """Every annotated frame with every SPEC field and the refresh number, single pass == -2."""
    return by_frame(harness.fields_both_passes(test, cap, harness.ALL_FIELDS + ["keepalive.refresh.number"], "keepalive"))


def alarms(experts):
    """The warnings and errors among (frame, name, message)."""
    loud = {name for name, (_, sev) in harness.EXPERTS.items() if sev in ("Warning", "Error")}
    return [e for e in experts if e[1] in loud]


class Public(unittest.TestCase):
    def test_refresh_every_300s_is_on_time(self):
        cap = capture("sip-udp-refresh-300s.ndpi.pcapng")
        sip = content(cap)
        registers = sorted(n for n, r in sip.items() if r["sip.Method"] == "REGISTER")
        oks = sorted(n for n, r in sip.items() if r["sip.Status-Code"] == "200" and r["sip.CSeq.method"] == "REGISTER")
        self.assertEqual(([9, 11, 25, 27], [12, 28]), (registers, oks))  # 401 -> authenticated retry, twice
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = annotated(self, cap)
        self.assertEqual(sorted(registers + oks + [10, 26]), sorted(rows))
        t12, t25, t28 = (epoch(sip[n]["frame.time_epoch"]) for n in (12, 25, 28))
        grant = 600  # Contact expires=600 in both 200 OKs
        self.assertEqual([str(grant)], rows[12]["keepalive.expires.granted"])
        self.assertEqual([t12 + (grant - 5) * S], [absolute(v) for v in rows[12]["keepalive.refresh.expected"]])
        refresh = rows[25]
        self.assertEqual([["1"]] * 4 + [["2"]] * 4, [rows[n]["keepalive.refresh.number"] for n in sorted(rows)])
        self.assertEqual([t25 - t12], [rel(v) for v in refresh["keepalive.refresh.interval"]])
        self.assertEqual([t25 - t12 - (grant - 5) * S], [rel(v) for v in refresh["keepalive.refresh.lateness"]])
        self.assertEqual(["12"], refresh["keepalive.refresh.prev"])
        self.assertEqual([], rows[27]["keepalive.refresh.interval"])  # the retry belongs to the same attempt
        self.assertEqual([], rows[26]["keepalive.refresh.margin"])  # a 401 delivers no refresh
        self.assertEqual([t12 + (grant + 10) * S - t28], [rel(v) for v in rows[28]["keepalive.refresh.margin"]])

    def test_unanswered_register_resends(self):
        cap = capture("sip-udp-unanswered-retrans.ndpi.pcap")
        sip = content(cap)
        rows = annotated(self, cap)
        experts = harness.experts_both_passes(self, cap)
        by_cseq = {}
        for n in sorted(sip):
            if sip[n]["sip.Method"] == "REGISTER":
                by_cseq.setdefault(sip[n]["sip.CSeq.seq"], []).append(n)
        # Two transactions, each sent 11 times (10 resends) and never answered.
        self.assertEqual({"4": 11, "5": 11}, {k: len(v) for k, v in by_cseq.items()})
        resends = []
        for frames in by_cseq.values():
            for i, n in enumerate(frames):
                self.assertEqual([str(i)], rows[n]["keepalive.retrans.count"])
                self.assertEqual(["1"], rows[n]["keepalive.refresh.number"])
                if i:
                    resends.append(n)
                    self.assertTrue(harness.true(sip[n]["sip.resend"]), sip[n]["sip.resend"])
                    self.assertEqual([str(frames[0])], rows[n]["keepalive.retrans.original"])
                    gap = epoch(sip[n]["frame.time_epoch"]) - epoch(sip[frames[i - 1]]["frame.time_epoch"])
                    self.assertEqual([gap], [rel(v) for v in rows[n]["keepalive.retrans.gap"]])
        self.assertEqual(sorted(sum(by_cseq.values(), [])), sorted(rows))
        # No 2xx ever set an expectation: resends are notes, nothing is late or breached.
        self.assertEqual(sorted((n, "keepalive.retransmission") for n in resends), sorted((n, e) for n, e, _ in experts))

    def test_ims_registration_and_one_deregistration(self):
        cap = capture("sip-tcp-ims-register.arkime.pcap")
        sip = content(cap, ["sip.Expires"])
        self.assertEqual(("REGISTER", "0"), (sip[100]["sip.Method"], sip[100]["sip.Expires"]))
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(100, "keepalive.unregister")], [(n, e) for n, e, _ in experts])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.refresh.number", "keepalive.delivery.frame", "keepalive.expires.granted",
                        "keepalive.refresh.interval", "keepalive.refresh.prev", "keepalive.server"], "keepalive"))
        # Each REGISTER is delivered by the registrar's ACK of its last byte (a later, separate frame).
        acks = {n: first_ack(cap, n, sip[n]["tcp.stream"], sip[n]["tcp.nxtseq"]) for n in (14, 27, 100)}
        self.assertEqual(sorted([14, 16, 27, 29, 100, 102] + list(acks.values())), sorted(rows))
        for n in (14, 16, 27, 29) + (acks[14], acks[27]):
            self.assertEqual(["1"], rows[n]["keepalive.refresh.number"])
        self.assertEqual([str(acks[27])], rows[29]["keepalive.delivery.frame"])
        self.assertEqual(["3600"], rows[29]["keepalive.expires.granted"])
        self.assertEqual(["2"], rows[100]["keepalive.refresh.number"])
        self.assertEqual(["29"], rows[100]["keepalive.refresh.prev"])
        self.assertEqual([time_of(cap, 100) - time_of(cap, 29)], [rel(v) for v in rows[100]["keepalive.refresh.interval"]])
        self.assertEqual(["[fd01::183]:5060/tcp"], rows[14]["keepalive.server"])

    def test_register_unregister_cycle_with_restart(self):
        cap = capture("sip-udp-register-cycle.sngrep.pcap")
        experts = harness.experts_both_passes(self, cap)
        # The de-registration (Expires 0, challenged twice, frames 421 and 430) is one.
        self.assertEqual([(421, "keepalive.unregister")], [(n, e) for n, e, _ in experts])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.endpoint", "keepalive.refresh.number", "keepalive.event",
                        "keepalive.refresh.lateness", "keepalive.retrans.count"], "keepalive"))
        self.assertEqual(["sip:voi18062@sip.cybercity.dk"], rows[421]["keepalive.endpoint"])
        self.assertEqual(["2"], rows[421]["keepalive.refresh.number"])
        self.assertEqual(["2"], rows[430]["keepalive.refresh.number"])
        # The phone restarted: CSeq 1 under a new Call-ID for the binding of line 35104723.
        sip = content(cap, ["sip.Call-ID"])
        self.assertNotEqual(sip[453]["sip.Call-ID"], sip[515]["sip.Call-ID"])
        self.assertEqual(["7"], rows[515]["keepalive.event"])
        self.assertEqual([n for n in rows if rows[n]["keepalive.event"]], [515])
        t527, t537 = time_of(cap, 527), time_of(cap, 537)
        self.assertEqual([t537 - t527 - 1195 * S], [rel(v) for v in rows[537]["keepalive.refresh.lateness"]])
        self.assertFalse(any(int(c) for r in rows.values() for c in r["keepalive.retrans.count"]))

    def test_fuzzed_register_cycle(self):
        """nDPI's fuzzed copy of the capture above: REGISTERs whose Call-ID or CSeq the fuzzer
        mangled are no transaction (two of them 517 s apart were one REGISTER sent again), and the
        one alarm is the ARP claim the fuzzer changed."""
        cap = capture("sip-udp-register-cycle-fuzzed.ndpi.pcap")
        sip = content(cap, ["sip.Call-ID"])
        mangled = [n for n, r in sip.items() if r["sip.Method"] == "REGISTER" and not (r["sip.Call-ID"] and r["sip.CSeq.method"])]
        self.assertTrue({169, 421, 430, 648} <= set(mangled))
        rows = annotated(self, cap)
        self.assertEqual([], [n for n in mangled if n in rows])
        # Frame 5's ARP says 192.168.1.1 is at a MAC its own frames never come from; the first of
        # them after the claim tells it.
        arp = harness.fields(cap, ["arp.src.hw_mac", "eth.src"], "frame.number == 5")[0]
        self.assertNotEqual(arp["arp.src.hw_mac"], arp["eth.src"])
        own = harness.fields(cap, ["frame.number"], "ip.src == 192.168.1.1 && frame.number > 5")[0]["frame.number"][0]
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(int(own), "keepalive.arp_mismatch")], [(n, e) for n, e, _ in experts])

    def test_tcp_register(self):
        cap = capture("sip-tcp-register.suricata-verify.pcap")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        sip = content(cap)
        ack = first_ack(cap, 6, sip[6]["tcp.stream"], sip[6]["tcp.nxtseq"])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.delivery.frame", "keepalive.expires.granted", "keepalive.retrans.count"],
            "keepalive"))
        self.assertEqual(sorted({6, ack, 8}), sorted(rows))
        self.assertEqual(["600"], rows[8]["keepalive.expires.granted"])
        if ack != 8:
            self.assertEqual([str(ack)], rows[8]["keepalive.delivery.frame"])

    def test_ipip_auth_loop(self):
        cap = capture("sip-udp-ipip-auth-loop.heplify.pcap")
        self.assertEqual([], harness.experts_both_passes(self, cap))
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.endpoint", "keepalive.server", "keepalive.refresh.number",
                        "keepalive.refresh.interval", "keepalive.retrans.count"], "keepalive"))
        # Three REGISTERs each answered 401: one attempt that never succeeds; the INVITE is ignored.
        self.assertEqual([3, 4, 5, 6, 7, 8], sorted(rows))
        for n in rows:
            self.assertEqual(["1"], rows[n]["keepalive.refresh.number"])
            self.assertEqual(["sip:1154@157.161.10.73"], rows[n]["keepalive.endpoint"])
            self.assertEqual(["157.161.10.73:5060/udp"], rows[n]["keepalive.server"])
            self.assertEqual([], rows[n]["keepalive.refresh.interval"])

    def test_hops_on_one_host(self):
        """An IMS core on one address: each hop of the forwarded REGISTER (same Call-ID and CSeq)
        is a binding at the port it was sent to, and each response answers the hop it goes back on
        (from that port), however close behind the other hop's it comes."""
        cap = capture("sip-udp-ims-core-one-host.ericsson-mts.pcap")
        sip = content(cap, ["ip.src", "ip.dst", "udp.srcport", "udp.dstport", "sip.Contact"])
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.server", "keepalive.expires.granted", "keepalive.refresh.expected"],
            "keepalive"))
        register = sorted(n for n, r in sip.items() if r["sip.CSeq.method"] == "REGISTER")
        self.assertEqual(14, len(register))
        self.assertEqual(register, sorted(rows))
        servers = set()
        for n in register:
            r = sip[n]
            side = ("ip.dst", "udp.dstport") if r["sip.Method"] else ("ip.src", "udp.srcport")
            servers.add("%s:%s/udp" % (r[side[0]], r[side[1]]))
            self.assertEqual(["%s:%s/udp" % (r[side[0]], r[side[1]])], rows[n]["keepalive.server"], n)
        self.assertEqual(2, len(servers))
        # Each 200 OK grants its hop's Contact expiry, the refresh expected 5 s before it ends.
        oks = [n for n in register if sip[n]["sip.Status-Code"] == "200"]
        self.assertEqual([25, 26], oks)
        for n in oks:
            grant = int(re.search(r";expires=(\d+)", sip[n]["sip.Contact"]).group(1))
            self.assertEqual([str(grant)], rows[n]["keepalive.expires.granted"])
            self.assertEqual([epoch(sip[n]["frame.time_epoch"]) + (grant - 5) * S],
                             [absolute(v) for v in rows[n]["keepalive.refresh.expected"]])
        # The de-registration, on each hop.
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(27, "keepalive.unregister"), (29, "keepalive.unregister")], [(n, e) for n, e, _ in experts])

    def test_challenge_answered_with_the_same_cseq(self):
        """A scanner answers each 401 with the same CSeq and new credentials: each such REGISTER
        reads as a resend, as Wireshark's sip.resend has it, and the registrar's 200 to one of them
        grants the binding its contact's expiry."""
        cap = capture("sip-udp-scanner-same-cseq.ipfixprobe.pcap")
        sip = content(cap, ["sip.Contact", "sip.Call-ID", "ip.src", "ip.dst", "udp.dstport"])
        resent = sorted(n for n, r in sip.items() if r["sip.Method"] == "REGISTER" and harness.true(r["sip.resend"]))
        self.assertEqual(7, len(resent))
        # Those are the REGISTERs whose Call-ID and CSeq the same sender sent the same server before.
        seen, again = set(), []
        for n in sorted(sip):
            r = sip[n]
            if r["sip.Method"] != "REGISTER":
                continue
            key = (r["ip.src"], r["ip.dst"], r["udp.dstport"], r["sip.Call-ID"], r["sip.CSeq.seq"])
            if key in seen:
                again.append(n)
            seen.add(key)
        self.assertEqual(again, resent)
        experts = harness.experts_both_passes(self, cap)
        self.assertEqual([(n, "keepalive.retransmission") for n in resent], [(n, e) for n, e, _ in experts])
        oks = [n for n, r in sip.items() if r["sip.CSeq.method"] == "REGISTER" and r["sip.Status-Code"] == "200"]
        self.assertEqual(1, len(oks))
        ok = oks[0]
        # The transaction (Call-ID and CSeq) it answers was refused before.
        txn = lambda r: (r["sip.Call-ID"], r["sip.CSeq.seq"], r["sip.CSeq.method"])  # noqa: E731
        self.assertTrue(any(n < ok and txn(r) == txn(sip[ok]) and r["sip.Status-Code"] == "401" for n, r in sip.items()))
        grant = int(re.search(r";expires=(\d+)", sip[ok]["sip.Contact"]).group(1))
        rows = by_frame(harness.fields_both_passes(
            self, cap, ["frame.number", "keepalive.expires.granted", "keepalive.refresh.expected"], "keepalive"))
        self.assertEqual([str(grant)], rows[ok]["keepalive.expires.granted"])
        self.assertEqual([epoch(sip[ok]["frame.time_epoch"]) + (grant - 5) * S],
                         [absolute(v) for v in rows[ok]["keepalive.refresh.expected"]])
        self.assertEqual([ok], [n for n in rows if rows[n]["keepalive.expires.granted"]])

    def test_no_false_alarm_anywhere(self):
        for name in ("sip-udp-refresh-300s.ndpi.pcapng", "sip-udp-unanswered-retrans.ndpi.pcap",
                     "sip-tcp-ims-register.arkime.pcap", "sip-udp-register-cycle.sngrep.pcap",
                     "sip-tcp-register.suricata-verify.pcap", "sip-udp-ipip-auth-loop.heplify.pcap",
                     "sip-udp-ims-core-one-host.ericsson-mts.pcap", "sip-udp-scanner-same-cseq.ipfixprobe.pcap"):
            self.assertEqual([], alarms(harness.experts(capture(name))), name)


if __name__ == "__main__":
    harness.main()
