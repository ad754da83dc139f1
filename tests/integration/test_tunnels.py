#!/usr/bin/env python3
"""Captures taken through a tunnel: a remote SPAN session (ERSPAN in GRE), a VXLAN fabric, a Geneve
overlay, an MPLS core and an Ethernet pseudowire across one, a PPPoE access line, a Wi-Fi link. Generated scenarios are wrapped
frame by frame, keeping times and frame numbers (an outer packet split into fragments maps them as
the scenarios' own fragmented twins do), so their own expectations (test_sip_scenarios,
test_sccp, test_path) must hold unchanged: the healthy twins silent and timed exactly, the Timer
E resends and breach, SCCP's unacknowledged keepalives, failover and TCP retransmissions, case
study A's proxy ARP told by the inner MACs. Encrypted Wi-Fi is analysed once Wireshark decrypts
it, and not at all without its key."""
# SPDX-License-Identifier: GPL-2.0-or-later
import atexit
import contextlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_path as path  # noqa: E402
import test_sccp as sccp  # noqa: E402
import test_sip_scenarios as scenarios  # noqa: E402

OUTER_SRC_MAC = bytes.fromhex("00005e0053aa")  # the collector's side of the tunnel
OUTER_DST_MAC = bytes.fromhex("00005e0053bb")
OUTER_SRC_IP = bytes([192, 0, 2, 1])
OUTER_DST_IP = bytes([192, 0, 2, 2])

_dir = tempfile.mkdtemp(prefix="ka-tunnels-")
atexit.register(shutil.rmtree, _dir, True)


def outer_ipv4(proto, payload):
    return OUTER_DST_MAC + OUTER_SRC_MAC + b"\x08\x00" + harness.ipv4(proto, OUTER_SRC_IP, OUTER_DST_IP, payload, 0x4242)


def udp_tunnel(payload, n, port):
    """A UDP tunnel's datagram to `port`, its source port varying with n as a flow hash would."""
    return outer_ipv4(17, struct.pack("!HHHH", 49152 + n % 1000, port, 8 + len(payload), 0) + payload)


def vxlan(frame, n, port=4789):
    return udp_tunnel(struct.pack("!BBHI", 0x08, 0, 0, 4096 << 8) + frame, n, port)


def geneve(frame, n):
    """Geneve (RFC 8926) on its port, as an overlay (VMware NSX) carries a VM's frames: an 8-byte
    option (class 0x0104, type 1, its 4 data bytes n) before the Ethernet frame."""
    option = struct.pack("!HBBI", 0x0104, 0x01, 1, n)
    return udp_tunnel(struct.pack("!BBHI", len(option) // 4, 0, 0x6558, 4096 << 8) + option + frame, n, 6081)


# A port that no Wireshark from 4.0 to 4.4 decodes as VXLAN by default. (Linux's default, 8472, is
# decoded as VXLAN by Wireshark 4.4; 4.0 and 4.2 do so only when told to.)
OTHER_VXLAN_PORT = 48472


def vxlan_other_port(frame, n):
    """VXLAN on a port Wireshark decodes as VXLAN only when told to."""
    return vxlan(frame, n, OTHER_VXLAN_PORT)


def erspan2(frame, n):
    # GRE with a sequence number (ERSPAN type II), then version 1, VLAN 0, session 7, index 0.
    gre = struct.pack("!HHI", 0x1000, 0x88BE, n)
    header = struct.pack("!HHI", 0x1000, 0x0007, 0)
    return outer_ipv4(47, gre + header + frame)


def erspan2_fragmented(frame, n):
    """ERSPAN whose outer packet the MTU split in two: the mirrored frame is whole only on the
    second fragment, once Wireshark has reassembled the outer packet."""
    packet = erspan2(frame, n)
    link, header, payload = packet[:14], bytearray(packet[14:34]), packet[34:]
    fragments = []
    for offset, part, more in ((0, payload[:64], 0x2000), (64, payload[64:], 0)):
        h = bytearray(header)
        h[2:4] = struct.pack("!H", 20 + len(part))
        h[4:6] = struct.pack("!H", n & 0xFFFF)
        h[6:8] = struct.pack("!H", more | offset // 8)
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", harness.checksum(bytes(h)))
        fragments.append(link + bytes(h) + part)
    return fragments


def mpls(frame, n):
    # The frame's own MACs, then two labels (100, and 16 at the bottom of the stack) before its IP.
    assert frame[12:14] == b"\x08\x00"
    labels = struct.pack("!II", 100 << 12 | 64, 16 << 12 | 0x100 | 64)
    return frame[:12] + b"\x88\x47" + labels + frame[14:]


def pseudowire(frame, n, control_word=True):
    # A provider's frame: its own MACs, label 100 (bottom of stack), a control word with sequence
    # number n, then the whole customer frame (RFC 4448).
    cw = struct.pack("!I", n & 0xFFFF) if control_word else b""
    return OUTER_DST_MAC + OUTER_SRC_MAC + b"\x88\x47" + struct.pack("!I", 100 << 12 | 0x100 | 64) + cw + frame


def pseudowire_no_cw(frame, n):
    return pseudowire(frame, n, control_word=False)


def pppoe(frame, n):
    # The frame's own MACs, then a PPPoE session header and PPP's protocol field before its IP.
    assert frame[12:14] == b"\x08\x00"
    ppp = b"\x00\x21" + frame[14:]
    return frame[:12] + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp


def wifi(frame, n):
    """The frame as a station on an open Wi-Fi network sends it, captured in monitor mode:
    radiotap (Flags only), then a QoS data frame to the access point (To DS) whose SA and DA are
    the Ethernet frame's MACs."""
    radiotap = struct.pack("<BBHIB", 0, 0, 9, 0x02, 0)
    header = struct.pack("<BBH", 0x88, 0x01, 0) + OUTER_DST_MAC + frame[6:12] + frame[0:6] + \
        struct.pack("<H", n << 4 & 0xFFF0) + b"\x05\x00"
    return radiotap + header + b"\xaa\xaa\x03\x00\x00\x00" + frame[12:]


wifi.linktype = 127

WEP_KEY = "1f2e3d4c5b"  # the network of wifi_wep, as Wireshark's 802.11 key table takes it


def rc4(key, data):
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out, x, y = bytearray(), 0, 0
    for b in data:
        x = (x + 1) & 0xFF
        y = (y + s[x]) & 0xFF
        s[x], s[y] = s[y], s[x]
        out.append(b ^ s[(s[x] + s[y]) & 0xFF])
    return bytes(out)


def wifi_wep(frame, n):
    """wifi() on a WEP network: the frame marked protected, its body (LLC/SNAP onwards) and the
    body's CRC-32 encrypted with RC4 keyed by the frame's IV (n) and WEP_KEY (key id 0)."""
    plain = wifi(frame, n)
    header = bytearray(plain[:9 + 26])  # radiotap, QoS data header
    header[9 + 1] |= 0x40
    body = plain[len(header):]
    iv = struct.pack(">I", n)[1:]
    return bytes(header) + iv + b"\x00" + rc4(iv + bytes.fromhex(WEP_KEY), body + struct.pack("<I", zlib.crc32(body)))


wifi_wep.linktype = 127


@contextlib.contextmanager
def decrypting_wifi(key=WEP_KEY, kind="wep"):
    """Wireshark's 802.11 decryption with one key: "wep" and its hex key, or "wpa-pwd" and
    "passphrase:SSID"."""
    with harness.extra_args(["-o", "wlan.enable_decryption:TRUE", "-o", 'uat:80211_keys:"%s","%s"' % (kind, key)]):
        yield


class DecryptingWifi:
    """Every tshark run of the class decrypts the WEP network's frames (a mixin)."""

    @classmethod
    def setUpClass(cls):
        cls._keys = contextlib.ExitStack()
        cls._keys.enter_context(decrypting_wifi())
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._keys.close()


def wrapped(name, wrap):
    """The generated capture `name` with every frame passed through wrap(frame, index), which
    returns a frame or a list of frames sent at the same time (harness.rewrite_capture)."""
    path = os.path.join(_dir, "%s-%s.pcap" % (name, wrap.__name__))
    harness.rewrite_capture(scenarios.capture(name), path, wrap, getattr(wrap, "linktype", 1))
    return path


class HealthyThroughTunnels(unittest.TestCase):
    def test_erspan(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", erspan2), lambda n: n)

    def test_vxlan(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", vxlan), lambda n: n)

    def test_geneve(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", geneve), lambda n: n)

    def test_mpls(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", mpls), lambda n: n)

    def test_erspan_fragmented(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", erspan2_fragmented), lambda n: 2 * n)

    def test_wifi(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", wifi), lambda n: n)

    def test_pppoe(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", pppoe), lambda n: n)

    def test_mpls_pseudowire(self):
        # Wireshark's pw-eth heuristic tells the control word from the customer frame's own start.
        for wrap in (pseudowire, pseudowire_no_cw):
            scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", wrap), lambda n: n)


class TimerEThroughVxlan(scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", vxlan)


class TimerEThroughGeneve(scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", geneve)


class TimerEThroughErspan(scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", erspan2)


class TimerEThroughWifi(scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", wifi)


class TimerEThroughEncryptedWifi(DecryptingWifi, scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", wifi_wep)


class HealthyThroughEncryptedWifi(DecryptingWifi, unittest.TestCase):
    def test_wifi_wep(self):
        scenarios.check_udp_healthy(self, wrapped("sip-udp-healthy", wifi_wep), lambda n: n)


class EncryptedWifiWithoutKey(unittest.TestCase):
    def test_silent(self):
        # Without the key nothing of the signalling is readable: no annotation, no expert info.
        for cap in (wrapped("sip-udp-timer-e", wifi_wep), scenarios.capture("wlan-wep-sip-udp")):
            self.assertEqual([], harness.experts_both_passes(self, cap))
            self.assertEqual([], harness.annotated(self, cap))


class WifiPhone(unittest.TestCase):
    """wlan-phone-sip-udp.cpp: a Wi-Fi phone on an encrypted network, bare 802.11 (no radiotap),
    decrypted: WEP from its key, WPA2-Personal (CCMP) from passphrase and SSID with the 4-way
    handshake captured before the SIP frames (two frames more)."""

    FIELDS = ["frame.number", "keepalive.refresh.lateness", "keepalive.refresh.margin", "keepalive.retrans.gap"]
    WEP = ("0b2c1e5d7f", "wep")
    WPA2 = ("keepalive-8821:ClinicVoice", "wpa-pwd")

    def check(self, name, key, margins, retransmissions, first=3):
        cap = scenarios.capture(name)
        with decrypting_wifi(*key):
            rows = harness.fields_both_passes(self, cap, self.FIELDS, "keepalive")
            experts = harness.experts_both_passes(self, cap)
        got = {int(r["frame.number"][0]): round(harness.seconds(r["keepalive.refresh.margin"][0]), 6)
               for r in rows if r["keepalive.refresh.margin"]}
        self.assertEqual(got, margins)
        self.assertEqual([v for r in rows for v in r["keepalive.refresh.lateness"]], ["0.000000000"] * 3)
        self.assertEqual([(f, n) for f, n, _ in experts], [(f, "keepalive.retransmission") for f in retransmissions])
        for f, _, m in experts:
            self.assertIn("retransmission 1, 500 ms after the previous transmission, first sent in frame %d" % first, m)

    def test_wep_resent_register(self):
        self.check("wlan-wep-sip-udp", self.WEP, {5: 14.49, 7: 14.99, 9: 14.99}, [4])

    def test_wep_healthy_twin_silent(self):
        self.check("wlan-wep-sip-udp-healthy", self.WEP, {4: 14.99, 6: 14.99, 8: 14.99}, [])

    def test_wpa2_resent_register(self):
        self.check("wlan-wpa2-sip-udp", self.WPA2, {7: 14.49, 9: 14.99, 11: 14.99}, [6], first=5)

    def test_wpa2_healthy_twin_silent(self):
        self.check("wlan-wpa2-sip-udp-healthy", self.WPA2, {6: 14.99, 8: 14.99, 10: 14.99}, [])

    def test_wpa2_without_passphrase_or_handshake_silent(self):
        # A wrong passphrase, or the capture without its handshake (started after the phone
        # associated): nothing can be decrypted, nothing is annotated.
        cap = scenarios.capture("wlan-wpa2-sip-udp")
        with tempfile.TemporaryDirectory() as d:
            cut = os.path.join(d, "no-handshake.pcap")
            subprocess.run(["editcap", cap, cut, "1-2"], check=True)
            for capture, key in ((cap, ("another-passphrase:ClinicVoice", "wpa-pwd")), (cut, self.WPA2)):
                with decrypting_wifi(*key):
                    self.assertEqual([], harness.experts_both_passes(self, capture))
                    self.assertEqual([], harness.annotated(self, capture))


class TimerEThroughFragmentedErspan(scenarios.TimerEFragmented):
    CAP = wrapped("sip-udp-timer-e", erspan2_fragmented)


# SCCP over TCP: streams, retransmissions and acknowledgements followed on the inner packets.
class SccpHealthyThroughVxlan(sccp.Healthy):
    CAP = wrapped("skinny-primary-backup-healthy", vxlan)


class SccpPrimaryStopsAckingThroughVxlan(sccp.PrimaryStopsAcking):
    CAP = wrapped("skinny-primary-stops-acking", vxlan)


class SccpPrimaryStopsAckingThroughGeneve(sccp.PrimaryStopsAcking):
    CAP = wrapped("skinny-primary-stops-acking", geneve)


class DecodeAsVxlan:
    """Every tshark run of the class decodes UDP port OTHER_VXLAN_PORT as VXLAN (a mixin)."""

    @classmethod
    def setUpClass(cls):
        cls._decode_as = contextlib.ExitStack()
        cls._decode_as.enter_context(harness.extra_args(["-d", "udp.port==%d,vxlan" % OTHER_VXLAN_PORT]))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._decode_as.close()


class SccpPrimaryStopsAckingThroughVxlanOnAnotherPort(DecodeAsVxlan, sccp.PrimaryStopsAcking):
    CAP = wrapped("skinny-primary-stops-acking", vxlan_other_port)


class TimerEThroughVxlanOnAnotherPort(DecodeAsVxlan, scenarios.TimerE):
    CAP = wrapped("sip-udp-timer-e", vxlan_other_port)


class VxlanOnAnotherPortWithoutDecodeAs(unittest.TestCase):
    def test_silent(self):
        # Wireshark sees plain UDP on that port: nothing of the tunnelled signalling is analysed.
        for name in ("skinny-primary-stops-acking", "sip-udp-timer-e"):
            cap = wrapped(name, vxlan_other_port)
            self.assertEqual([], harness.experts_both_passes(self, cap))
            self.assertEqual([], harness.annotated(self, cap))


class SccpPrimaryStopsAckingThroughPseudowire(sccp.PrimaryStopsAcking):
    CAP = wrapped("skinny-primary-stops-acking", pseudowire)


class SccpRetransmissionThroughErspan(sccp.Retransmission):
    CAP = wrapped("skinny-keepalive-retransmission", erspan2)


class CaseStudyAThroughErspan(path.CaseStudyA):
    """Proxy ARP seen through a remote SPAN session: every frame has the collector's outer MACs, so
    only the mirrored frames' own MACs show the keepalives going to the firewall."""
    CAP = wrapped("path-case-study-a", erspan2)


class CaseStudyAThroughGeneve(path.CaseStudyA):
    """The same in an overlay: the proxy told by the VM frames' own MACs inside Geneve."""
    CAP = wrapped("path-case-study-a", geneve)


class PathHealthyThroughErspan(unittest.TestCase):
    def test_case_study_a_without_the_proxy(self):
        path.HealthyTwins.assert_silent(self, wrapped("path-case-study-a-healthy", erspan2))

    def test_case_study_a_without_the_proxy_through_geneve(self):
        path.HealthyTwins.assert_silent(self, wrapped("path-case-study-a-healthy", geneve))


if __name__ == "__main__":
    harness.main()
