#!/usr/bin/env python3
"""`-z keepalive,tree` counts equal what the packet details say, on every bundled capture."""
# SPDX-License-Identifier: GPL-2.0-or-later
import collections
import glob
import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = "Endpoint @ server"
# Statistics counter -> what it counts in one Keepalive Analysis item (SPEC §4, plugin/core/tally.cpp).
EXPERT_COUNTERS = {
    "Late": "keepalive.refresh_late", "Retransmissions": "keepalive.retransmission",
    "Grace breaches": "keepalive.grace_breach", "Breach forecasts": "keepalive.breach_forecast",
    "Unacknowledged": "keepalive.keepalive_unacked", "Failovers": "keepalive.failover",
    "ARP mismatches": "keepalive.arp_mismatch", "Misdirected": "keepalive.misdirected",
    "Unregistered (syslog)": "keepalive.endpoint_unregistered", "Lost between capture points": "keepalive.path_loss",
}


def all_captures():
    return sorted(glob.glob(os.path.join(harness.PUBLIC, "*.pcap*")) +
                  glob.glob(os.path.join(harness.GENERATED, "*.pcap*")))


def parse_tree(text):
    """{node name: {counter: count}} from tshark's stats-tree text."""
    nodes, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^( *)(\S.*?)\s{2,}(\d+)\s", line + "  ")
        if not m or m.group(2).startswith("Topic"):
            continue
        depth, name, count = len(m.group(1)), m.group(2), int(m.group(3))
        if depth == 0:
            continue
        if depth == 1:
            current = nodes.setdefault(name, {"total": count})
        elif current is not None:
            current[name] = count
    return nodes


def details(capture, two_pass):
    """The same counts, computed from the packet details (PDML) item by item."""
    out = harness.tshark(["-Y", "keepalive", "-T", "pdml"], capture=capture, two_pass=two_pass)
    nodes = collections.defaultdict(collections.Counter)
    for proto in ET.fromstring(out).iter("proto"):
        if proto.get("name") != "keepalive":
            continue
        fields = {f.get("name"): f.get("show") for f in proto.iter("field")}
        endpoint = fields.get("keepalive.endpoint") or "(unknown)"
        server = fields.get("keepalive.server")
        name = "%s @ %s" % (endpoint, server) if server else endpoint
        node = nodes[name]
        node["total"] += 1
        for counter, expert in EXPERT_COUNTERS.items():
            if any(f.get("name") == expert for f in proto.iter("field")):
                node[counter] += 1
    return {k: dict(v) for k, v in nodes.items()}


class StatsTree(unittest.TestCase):
    def test_tree_equals_packet_details_on_every_capture(self):
        caps = all_captures()
        self.assertGreater(len(caps), 10)
        for cap in caps:
            for two_pass in (False, True):
                tree = parse_tree(harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap, two_pass=two_pass))
                expected = details(cap, two_pass)
                self.assertEqual(set(tree), set(expected), cap)
                for name, counts in expected.items():
                    self.assertEqual(tree[name]["total"], counts["total"], (cap, name))
                    for counter in EXPERT_COUNTERS:
                        self.assertEqual(tree[name].get(counter, 0), counts.get(counter, 0), (cap, name, counter))

    def test_expert_counters_equal_their_filters(self):
        # One finding of a kind per frame: a counter's total equals the frame count of its filter.
        # Counters that are zero on a capture were already checked against the details above.
        for cap in all_captures():
            tree = parse_tree(harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap))
            for counter, expert in EXPERT_COUNTERS.items():
                total = sum(n.get(counter, 0) for n in tree.values())
                if total:
                    self.assertEqual(total, len(harness.fields(cap, ["frame.number"], expert)), (cap, counter))


if __name__ == "__main__":
    harness.main()
