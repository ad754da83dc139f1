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
    "Cut short, not analysed": "keepalive.truncated", "Capture gaps": "keepalive.capture_gap",
    "Clock steps": "keepalive.clock_step",
}
# Statistics counter -> (field, value) it counts in one item.
VALUE_COUNTERS = {"Restarts (new Call-ID)": ("keepalive.event", "7")}


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
    """The same counts from the packet details (PDML), item by item, and the frames of each expert."""
    out = harness.tshark(["-Y", "keepalive", "-T", "pdml"], capture=capture, two_pass=two_pass)
    nodes = collections.defaultdict(collections.Counter)
    frames = collections.defaultdict(set)
    for packet in ET.fromstring(out).iter("packet"):
        number = int(next(f.get("show") for f in packet.iter("field") if f.get("name") == "frame.number"))
        for proto in packet.iter("proto"):
            if proto.get("name") != "keepalive":
                continue
            names = [f.get("name") for f in proto.iter("field")]
            shows = {f.get("name"): f.get("show") for f in proto.iter("field")}
            capture_wide = "keepalive.capture_gap" in names or "keepalive.clock_step" in names
            endpoint = shows.get("keepalive.endpoint") or ("(the capture)" if capture_wide else "(unknown)")
            server = shows.get("keepalive.server")
            node = nodes["%s @ %s" % (endpoint, server) if server else endpoint]
            node["total"] += 1
            for counter, expert in EXPERT_COUNTERS.items():
                if expert in names:
                    node[counter] += 1
                    frames[expert].add(number)
            for counter, (field, value) in VALUE_COUNTERS.items():
                if shows.get(field) == value:
                    node[counter] += 1
                    frames["%s == %s" % (field, value)].add(number)
    return {k: dict(v) for k, v in nodes.items()}, frames


# PDML of a capture this large does not fit in memory; its tree is still checked for sanity.
MAX_DETAILED = 5 * 1024 * 1024


class StatsTree(unittest.TestCase):
    def test_tree_equals_packet_details_and_filters_on_every_capture(self):
        caps = all_captures()
        self.assertGreater(len(caps), 10)
        for cap in caps:
            for two_pass in (False, True):
                tree = parse_tree(harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap, two_pass=two_pass))
                if os.path.getsize(cap) > MAX_DETAILED:
                    for counts in tree.values():
                        self.assertLessEqual(max(counts.values()), counts["total"], cap)
                    continue
                expected, frames = details(cap, two_pass)
                self.assertEqual(set(tree), set(expected), cap)
                for name, counts in expected.items():
                    self.assertEqual(tree[name]["total"], counts["total"], (cap, name))
                    for counter in list(EXPERT_COUNTERS) + list(VALUE_COUNTERS):
                        self.assertEqual(tree[name].get(counter, 0), counts.get(counter, 0), (cap, name, counter))
                if two_pass:
                    continue
                # A counter counts findings; its filter finds exactly the frames that carry them (a frame
                # with two REGISTERs, both retransmitted, counts twice and matches once).
                for expert, numbers in frames.items():
                    matched = {int(r["frame.number"][0]) for r in harness.fields(cap, ["frame.number"], expert)}
                    self.assertEqual(matched, numbers, (cap, expert))


    def test_margin_of_a_huge_grant(self):
        """A grant of 4294967295 s (bad-expires) leaves a margin, from the deadline back to the next
        refresh's 2xx 115.01 s later, of 4294967295 - 5 + 15 - 115.01 = 4294967189.99 s, past the
        node's int in ms: it is held at 2147483647 ms, not wrapped to a breach of -106010 ms.
        SEP002414300011's (its "abc" ignored, the default 3600 s) is 3600 - 5 + 15 - 115.01 s."""
        cap = os.path.join(harness.GENERATED, "bad-expires.pcap")
        for two_pass in (False, True):
            node, minimum = None, {}
            for line in harness.tshark(["-q", "-z", "keepalive,tree"], capture=cap, two_pass=two_pass).splitlines():
                cells = re.split(r"\s{2,}", line.strip())
                if line.startswith(" SEP"):
                    node = cells[0]
                elif cells[0] == "Margin (ms, Min = worst)":
                    minimum[node] = int(cells[3])
            self.assertEqual(minimum, {"SEP002414300011 @ 10.30.0.1:5060/udp": 3494990,
                                       "SEP002414300012 @ 10.30.0.1:5060/udp": 2147483647,
                                       "SEP002414300013 @ 10.30.0.1:5060/udp": 2147483647})


if __name__ == "__main__":
    harness.main()
