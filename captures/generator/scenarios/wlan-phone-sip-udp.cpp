// A Wi-Fi phone (SIP over UDP) on an encrypted network, captured over the air in monitor mode: its
// frames are readable once Wireshark decrypts them with the network's key, and the analysis is then
// that of the same exchange on a wire. WEP needs nothing but the key
// (-o wlan.enable_decryption:TRUE -o "uat:80211_keys:\"wep\",\"0b2c1e5d7f\""); WPA2-Personal
// needs the passphrase and SSID (-o "uat:80211_keys:\"wpa-pwd\",\"keepalive-8821:ClinicVoice\"")
// and the station's 4-way handshake in the capture. In wlan-wep-sip-udp and wlan-wpa2-sip-udp
// attempt 2's first transmission never reaches the access point (captured all the same) and is
// resent after T1 = 500 ms; their -healthy twins lose nothing.
//
// Parameters (802.11 without radiotap, no FCS, microsecond pcap, T0 = 2023-06-06 08:00:00 UTC):
//   access point  BSSID 00:3a:7d:21:0c:40.
//                 WEP: key 0b:2c:1e:5d:7f (40 bits), key id 0; frame n of the capture (from 0)
//                 has IV 0x00a000 + n and sequence number 100 + n.
//                 WPA2: SSID "ClinicVoice", passphrase "keepalive-8821", CCMP; at T0 + 0.5 s the
//                 4-way handshake's message 1 (ANonce: bytes 0xa0, 0xa1, ... 0xbf), 1 ms later
//                 message 2 (SNonce: bytes 0x50 ... 0x6f); then SIP frame k (from 0) has packet
//                 number 1 + k and sequence number 100 + k.
//   phone         SEP00EBD5C21811 (Cisco 8821), MAC 00:eb:d5:c2:18:11, 10.70.30.18:5060
//   registrar     on the wire behind the access point, MAC 00:50:56:8e:40:05, 10.70.1.5:5060
//   SIP           AOR sip:7018@10.70.1.5, one Call-ID, REGISTER "Expires: 3600", Cisco Contact;
//                 200 OK: the Contact plus ";expires=120".
//   Attempt k = 1..4: F(1) = T0 + 1 s, CSeq k; lossy k = 2: first transmission lost, resent 500 ms
//     later; 200 OK 10 ms after the delivered transmission, OK(k); F(k+1) = OK(k) + 115 s.
//   Frames (WEP; WPA2: two more, the handshake's, before them), lossy: REGISTER 1, 3 (lost),
//     4 (resent), 6, 8; 200 OK 2, 5, 7, 9. Healthy: REGISTER 1, 3, 5, 7; 200 OK 2, 4, 6, 8.
// Derived (grant 120 s, delta 5 s, grace 15 s), with the key: every refresh on time (lateness 0);
//   margins 15 - 0.010 = 14.990 s on the 200 OKs of attempts 2-4, lossy attempt 2: 15 - 0.510 =
//   14.490 s; lossy: one retransmission, frame 4 (WPA2: 6) (count 1, gap 0.5 s, first sent in
//   frame 3 (5)), and nothing else; healthy: no expert info. Without the key: nothing to read, no
//   annotation.
#include <string>

#include "scenario.h"
#include "wpa.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Security { Wep, Wpa2 };

Bytes counting_from(std::uint8_t first) {
  Bytes b(32);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

void wifi_phone(ScenarioOutput& out, Security security, bool lossy) {
  const Endpoint phone{"00:eb:d5:c2:18:11", "10.70.30.18", 5060};
  const Endpoint registrar{"00:50:56:8e:40:05", "10.70.1.5", 5060};
  const TimeNs t0 = utc("2023-06-06 08:00:00.000000");
  const Mac bssid = "00:3a:7d:21:0c:40";

  Capture cap(LinkType::Ieee80211);
  FlowOptions opt;
  if (security == Security::Wep) {
    opt.wlan = WlanOptions{bssid, false, {0x0b, 0x2c, 0x1e, 0x5d, 0x7f}, 0x00a000, 100, {}};
  } else {
    const wpa::Network net{"ClinicVoice", "keepalive-8821", bssid};
    const Bytes tk = wpa::handshake(cap, t0 + 500_ms, net, phone.mac, counting_from(0xa0), counting_from(0x50));
    opt.wlan = WlanOptions{bssid, false, {}, 1, 100, tk};
  }
  UdpFlow udp(cap, phone, registrar, opt);
  sip::Register reg = sip::phone_register(phone, "7018", registrar.ip.str());
  reg.from_tag = "wep7018";
  reg.call_id = "wlan-wep-7018@" + phone.ip.str();
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("7018", phone), phone.mac, "8821");
  reg.contacts = {contact};
  sip::udp_refreshes(udp, reg, contact, t0 + 1_s, 4, "z9hG4bKwep", "wt", lossy ? 2 : 0);
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("wlan-wep-sip-udp", "Wi-Fi phone on an encrypted (WEP) network, monitor mode: one REGISTER resent, analysed once decrypted") {
  wifi_phone(out, Security::Wep, true);
}

KA_SCENARIO("wlan-wep-sip-udp-healthy", "healthy twin of wlan-wep-sip-udp: nothing lost, nothing raised") {
  wifi_phone(out, Security::Wep, false);
}

KA_SCENARIO("wlan-wpa2-sip-udp", "Wi-Fi phone on a WPA2-Personal (CCMP) network, monitor mode, with its 4-way handshake: one REGISTER resent, analysed once decrypted") {
  wifi_phone(out, Security::Wpa2, true);
}

KA_SCENARIO("wlan-wpa2-sip-udp-healthy", "healthy twin of wlan-wpa2-sip-udp: nothing lost, nothing raised") {
  wifi_phone(out, Security::Wpa2, false);
}
