#!/usr/bin/env python3
"""The plugin loads into the system tshark and registers SPEC §4's public interface."""
# SPDX-License-Identifier: GPL-2.0-or-later
import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SPEC_FIELDS = {
    "keepalive.endpoint": "FT_STRING", "keepalive.server": "FT_STRING", "keepalive.role": "FT_STRING",
    "keepalive.expires.granted": "FT_UINT32", "keepalive.refresh.expected": "FT_ABSOLUTE_TIME",
    "keepalive.refresh.deadline": "FT_ABSOLUTE_TIME", "keepalive.refresh.interval": "FT_RELATIVE_TIME",
    "keepalive.refresh.lateness": "FT_RELATIVE_TIME", "keepalive.refresh.prev": "FT_FRAMENUM",
    "keepalive.refresh.margin": "FT_RELATIVE_TIME", "keepalive.grace.overrun": "FT_RELATIVE_TIME",
    "keepalive.retrans.count": "FT_UINT32", "keepalive.retrans.original": "FT_FRAMENUM",
    "keepalive.retrans.gap": "FT_RELATIVE_TIME", "keepalive.loss.consecutive": "FT_UINT32",
    "keepalive.sccp.interval": "FT_UINT32", "keepalive.sccp.gap": "FT_RELATIVE_TIME",
    "keepalive.sccp.ack_latency": "FT_RELATIVE_TIME", "keepalive.sccp.ack_latency_mean": "FT_RELATIVE_TIME",
    "keepalive.sccp.missed": "FT_UINT32", "keepalive.arp.ip": "FT_IPv4", "keepalive.arp.claimed_mac": "FT_ETHER",
    "keepalive.arp.owner_mac": "FT_ETHER", "keepalive.arp.frame": "FT_FRAMENUM",
    "keepalive.syslog.reason": "FT_UINT32", "keepalive.syslog.last_seen": "FT_FRAMENUM",
}


SPEC_PREFS = {"refresh_delta": "5", "grace_window": "15", "late_tolerance_ms": "1000", "sccp_interval": "30",
              "sccp_backup_interval": "60", "sccp_missed_threshold": "3", "loss_pattern_min": "3"}


class Registration(unittest.TestCase):
    def test_protocol(self):
        rows = [l.split("\t") for l in harness.tshark(["-G", "protocols"]).splitlines()]
        self.assertIn(["Keepalive Analysis", "KEEPALIVE", "keepalive"], [r[:3] for r in rows])

    def test_every_spec_field_with_its_type(self):
        types = {}
        for line in harness.tshark(["-G", "fields"]).splitlines():
            cols = line.split("\t")
            if cols[0] == "F" and cols[2].startswith("keepalive."):
                types[cols[2]] = cols[3]
                self.assertEqual(cols[4], "keepalive", cols[2])
        for name, ftype in SPEC_FIELDS.items():
            self.assertEqual(types.get(name), ftype, name)

    def test_field_groups(self):
        """The subtrees that group the fields are items of their own, so filters and tshark -j
        can name them (README, Fields)."""
        types = {cols[2]: cols[3] for cols in (l.split("\t") for l in harness.tshark(["-G", "fields"]).splitlines())
                 if cols[0] == "F"}
        for name in ("keepalive.timing", "keepalive.next_refresh", "keepalive.retrans", "keepalive.sccp",
                     "keepalive.path", "keepalive.syslog", "keepalive.capture"):
            self.assertEqual("FT_NONE", types.get(name), name)

    def test_every_spec_expert(self):
        # Group and severity are checked by harness.experts() wherever an expert fires.
        names = {l.split("\t")[2] for l in harness.tshark(["-G", "fields"]).splitlines() if l.startswith("F\t")}
        for name in harness.EXPERTS:
            self.assertIn(name, names)

    def test_preferences_and_defaults(self):
        prefs = {}
        for line in harness.tshark(["-G", "defaultprefs"]).splitlines():
            if line.startswith("#keepalive."):
                k, _, v = line[len("#keepalive."):].partition(":")
                prefs[k] = v.strip()
        for name, default in SPEC_PREFS.items():
            self.assertEqual(prefs.get(name), default, name)

    def test_statistics_tree_is_listed(self):
        p = harness.subprocess.run(harness.command(["-z", "help"]), stdout=harness.subprocess.PIPE,
                                   stderr=harness.subprocess.STDOUT, text=True)
        self.assertIn("keepalive,tree", p.stdout.split())


class OnCaptures(unittest.TestCase):
    def captures(self):
        caps = sorted(glob.glob(os.path.join(harness.PUBLIC, "*.pcap*")))
        self.assertTrue(caps, "no public captures found")
        return caps

    def test_disabling_the_protocol_removes_every_field(self):
        for cap in self.captures():
            for two_pass in (False, True):
                out = harness.tshark(["--disable-protocol", "keepalive", "-V"], capture=cap, two_pass=two_pass)
                self.assertNotIn("Keepalive Analysis", out, cap)
                self.assertNotIn("[KA:", out, cap)

    def test_info_column_tag_marks_warnings_and_errors_and_can_be_turned_off(self):
        # Case study B: frame 8 is a retransmission (a note: no tag), frame 16 the third refresh in a row
        # to lose its first transmission (loss pattern, a warning), frame 32 the grace breach (an error,
        # which wins over the loss-pattern warning on the same frame).
        cap = os.path.join(harness.GENERATED, "sip-tcp-case-study-b.pcap")
        for two_pass in (False, True):
            info = harness.info_columns(cap, two_pass=two_pass)
            self.assertNotIn("[KA:", info[8])
            self.assertTrue(info[16].endswith("[KA: loss pattern]"), info[16])
            self.assertTrue(info[32].endswith("[KA: grace breach]"), info[32])
            # Loss pattern on the retransmissions of refreshes 4-8 (frames 16, 20, 24, 28, 32), forecast on
            # the 200 OKs of refreshes 5-7 (21, 25, 29): 8 tagged frames.
            self.assertEqual(sorted(n for n, v in info.items() if "[KA:" in v), [16, 20, 21, 24, 25, 28, 29, 32])
            off = harness.info_columns(cap, prefs={"info_column": "FALSE"}, two_pass=two_pass)
            self.assertEqual(len(off), len(info))
            self.assertFalse(any("[KA:" in v for v in off.values()))

    def test_live_capture_sees_the_same(self):
        """A live capture (here from a pipe, `tshark -i -`: tshark's capture path, one pass as
        frames arrive) annotates as reading the file does: every fact where it becomes known."""
        fields = ["-Y", "keepalive", "-T", "fields", "-e", "frame.number", "-e", "keepalive.refresh.margin",
                  "-e", "keepalive.path.frame", "-e", "_ws.expert.message"]
        for name in ("sip-tcp-case-study-b.pcap", "path-case-study-a.pcap", "path-two-points.pcapng"):
            cap = os.path.join(harness.GENERATED, name)
            with open(cap, "rb") as f:
                p = harness.subprocess.run(harness.command(["-i", "-"] + fields), stdin=f, stdout=harness.subprocess.PIPE,
                                           stderr=harness.subprocess.PIPE, text=True, cwd=harness.workdir())
            self.assertEqual(0, p.returncode, p.stderr)
            self.assertNotIn("Dissector bug", p.stdout + p.stderr)
            self.assertEqual(harness.tshark(fields, capture=cap), p.stdout, name)
            if name.startswith("sip-tcp-case-study-b"):  # SPEC 2.5: the eighth refresh breaches on frame 32
                self.assertIn("11.8 s past it, registrar likely unregistered SEPA44C118F2E61",
                              dict(l.split("\t", 1) for l in p.stdout.splitlines())["32"])

    def test_every_capture_loads_and_the_stats_tree_runs(self):
        for cap in self.captures():
            for two_pass in (False, True):
                out = harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap, two_pass=two_pass)
                self.assertIn("Keepalive Analysis", out, cap)


if __name__ == "__main__":
    harness.main()
