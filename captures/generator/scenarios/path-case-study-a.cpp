// SPEC 2.4, case study A: an ASA's proxy ARP wins the ARP race for the call manager's address, the
// SCCP phone sends its keepalives to the firewall's MAC, they are never acknowledged, the phone
// fails over and the call manager logs EndPointUnregistered reason 13 (path-case-study-a.pcap);
// and the same network without the proxy (path-case-study-a-healthy.pcap).
//
// Parameters (Ethernet, microsecond pcap, SPAN of the voice VLAN, T0 = 2023-05-12 09:00:00 UTC):
//   phone      SEP580A20FB071F  MAC 58:0a:20:fb:07:1f  10.10.10.130:51012
//   CM         MAC f4:0f:1b:1e:26:a9  10.10.10.202:2000 (syslog from port 514)
//   proxy      ASA inside interface, MAC 00:50:56:90:10:cf (sends no IP frame in the capture)
//   phone 2    MAC 58:0a:20:fb:07:20  10.10.10.131
//   TFTP       MAC 00:25:b5:00:00:1a  10.10.10.210
//   collector  MAC 00:50:56:a1:00:32  10.10.10.50:514
//   TCP ISNs: phone 2100000000, CM 3100000000.
// Timeline (offset from T0); frame numbers of path-case-study-a:
//    1  0.000000  ARP request: who has .210, tell .131
//    2  0.000250  ARP reply .210 is at 00:25:b5:00:00:1a (the TFTP server)
//    3  0.000400  ARP reply .210 is at 00:50:56:90:10:cf (proxy; no frame of .210 ever shows who owns it)
//    4  1.000000  ARP request: who has .202, tell .130
//    5  1.000300  ARP reply .202 is at f4:0f:1b:1e:26:a9 (the call manager wins this race)
//    6  1.000450  ARP reply .202 is at 00:50:56:90:10:cf (proxy, second)
//    7  1.001000  SYN, 8 1.001400 SYN/ACK (the call manager's first IP frame), 9 1.001450 ACK
//   10  1.002000  RegisterReq (128-byte body), 11 1.004000 RegisterAck 30/60, 12 1.004200 ACK
//   for k = 1..4: KeepAliveReq at 1.002 + 30k (frame 10 + 3k), KeepAliveAck 1.2 ms later
//                 (frame 11 + 3k), phone ACK 1.4 ms after the request (frame 12 + 3k)
//   25 130.000000 gratuitous ARP by the call manager for .202 (its own MAC)
//   26 140.000000 ARP request: who has .202, tell .130 (the phone's entry aged out)
//   27 140.000250 ARP reply .202 is at 00:50:56:90:10:cf (proxy, first: the phone takes it)
//   28 140.000400 ARP reply .202 is at f4:0f:1b:1e:26:a9 (the call manager, second)
//   for k = 5..7: KeepAliveReq at 1.002 + 30k to MAC 00:50:56:90:10:cf, never delivered, never
//                 acknowledged (frames 29, 30, 31; TCP retransmissions left out)
//   32 241.100000 phone FIN (to the proxy MAC too): it gives up the primary
//   33 245.000000 syslog EndPointUnregistered DeviceName=SEP580A20FB071F IPAddress=10.10.10.130
//                 Protocol=SCCP DeviceType=434 Reason=13 LastSignalReceived=StationKeepAlive
// Derived: frame 8 (the owner's first frame) reports the proxy's claim of frame 6 (deferred:
//   ArpFrame 6, OwnerFrame 8, the proxy answers for 2 addresses); frame 27 reports its own false
//   claim at once (owner's latest frame: the KeepAliveAck of k = 4, frame 23); frames 29-31 are
//   misdirected (ArpFrame 27, OwnerFrame 23); the syslog's last keepalive is frame 31,
//   245.000000 - 211.002000 = 33.998 s earlier.
//
// path-case-study-a-healthy: the same network without proxy ARP: frames 3, 6 and 27 are absent,
// keepalives k = 1..7 all go to the call manager's MAC and are acknowledged as k = 1..4 are, no
// FIN, no syslog: 32 frames.
//
// path-proxy-arp-again: case study A until frame 31; then the phone keeps its connection instead of
// the FIN of frame 32, its ARP entry ages out again, and the proxy answers again while the call
// manager, which has heard nothing from the phone since 121 s, has sent nothing for 279 s:
//   32 400.000000  ARP request: who has .202, tell .130
//   33 400.000250  ARP reply .202 is at 00:50:56:90:10:cf (proxy, first again)
//   34 400.000400  ARP reply .202 is at f4:0f:1b:1e:26:a9 (the call manager, second)
//   35 401.002000  TCP retransmission of keepalive k = 7 (frame 31), to the proxy's MAC
//   36 402.000000  phone FIN (to the proxy's MAC); 37 405.000000 the syslog of case study A's
//                  frame 33
// Derived: as case study A until frame 31; frame 33 tells no new mismatch (the owner's latest frame,
//   23, is 279 s old), but the proxy stays the one found false: frame 35 is misdirected (ArpFrame
//   33, OwnerFrame 23); the syslog's last keepalive is frame 31, 405.000000 - 211.002000 =
//   193.998 s earlier (a retransmission is no new keepalive). 37 frames.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

const Endpoint kPhone{"58:0a:20:fb:07:1f", "10.10.10.130", 51012};
const Endpoint kCm{"f4:0f:1b:1e:26:a9", "10.10.10.202", 2000};
const Endpoint kCmSyslog{"f4:0f:1b:1e:26:a9", "10.10.10.202", cucm::kSyslogPort};
const Endpoint kCollector{"00:50:56:a1:00:32", "10.10.10.50", cucm::kSyslogPort};
const Mac kProxy = "00:50:56:90:10:cf";
const Mac kPhone2 = "58:0a:20:fb:07:20";
const IpAddr kPhone2Ip = "10.10.10.131";
const Mac kTftp = "00:25:b5:00:00:1a";
const IpAddr kTftpIp = "10.10.10.210";

// `again`: path-proxy-arp-again's ending instead of case study A's.
void build(Capture& cap, bool proxy, bool again = false) {
  const TimeNs t0 = utc("2023-05-12 09:00:00.000000");

  add_arp_resolution(cap, t0, Endpoint{kPhone2, kPhone2Ip}, Endpoint{kTftp, kTftpIp}, 250_us);
  if (proxy) cap.add(t0 + 400_us, arp_reply(kProxy, kTftpIp, kPhone2, kPhone2Ip));
  add_arp_resolution(cap, t0 + 1_s, kPhone, kCm, 300_us);
  if (proxy) cap.add(t0 + 1_s + 450_us, arp_reply(kProxy, kCm.ip, kPhone.mac, kPhone.ip));

  TcpFlow tcp(cap, kPhone, kCm, FlowOptions::with_isns(2100000000u, 3100000000u));
  tcp.handshake(t0 + 1001_ms, t0 + 1001400_us, t0 + 1001450_us);

  skinny::RegisterReq reg = skinny::phone_register_req(kPhone.mac, kPhone.ip);
  reg.max_lines = 2;
  reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
  const TimeNs t_reg = t0 + 1002_ms;
  skinny::registration(tcp, t_reg, reg);

  Segment last{};
  for (int k = 1; k <= 7; ++k) {
    const TimeNs t = t_reg + seconds(30 * k);
    if (k == 5) cap.add(t0 + 130_s, gratuitous_arp(kCm.mac, kCm.ip));
    if (k == 5 && proxy) {
      add_arp_resolution(cap, t0 + 140_s, kPhone, kCm, 400_us);
      cap.add(t0 + 140_s + 250_us, arp_reply(kProxy, kCm.ip, kPhone.mac, kPhone.ip));  // the proxy first
      tcp.set_macs(Dir::ToServer, kPhone.mac, kProxy);
    }
    if (k >= 5 && proxy) {
      last = tcp.send(t, Dir::ToServer, skinny::keepalive_req(), Delivery::Lost);
      continue;
    }
    skinny::acked_keepalive(tcp, t, 1200_us);
  }
  if (!proxy) return;
  if (again) {
    add_arp_resolution(cap, t0 + 400_s, kPhone, kCm, 400_us);
    cap.add(t0 + 400_s + 250_us, arp_reply(kProxy, kCm.ip, kPhone.mac, kPhone.ip));  // the proxy first again
    tcp.retransmit(t0 + 401002_ms, last, Delivery::Lost);
    tcp.fin(t0 + 402_s, Dir::ToServer, Delivery::Lost);
  } else {
    tcp.fin(t0 + 241100_ms, Dir::ToServer, Delivery::Lost);
  }

  cucm::EndpointUnregistered e;
  e.device_name = reg.device_name;
  e.ip_address = kPhone.ip.str();
  e.protocol = "SCCP";
  e.device_type = 434;
  e.reason = 13;
  e.last_signal_received = "StationKeepAlive";
  const TimeNs t_log = t0 + (again ? 405_s : 245_s);
  UdpFlow syslog(cap, kCmSyslog, kCollector);
  syslog.send(t_log, Dir::ToServer, cucm::syslog_payload(t_log, cucm::endpoint_unregistered(e), 2107, "uc-ucm-01"));
}

}  // namespace

KA_SCENARIO("path-case-study-a",
            "SPEC case study A: proxy ARP wins the race, SCCP keepalives go to the firewall's MAC, reason 13") {
  Capture cap(LinkType::Ethernet, "voice-vlan-span");
  build(cap, true);
  out.save_pcap(cap);
}

KA_SCENARIO("path-case-study-a-healthy", "Case study A's network without proxy ARP: every keepalive acknowledged") {
  Capture cap(LinkType::Ethernet, "voice-vlan-span");
  build(cap, false);
  out.save_pcap(cap);
}

KA_SCENARIO("path-proxy-arp-again",
            "Case study A, the phone's ARP entry aging out again: the proxy, answering again, is still misdirecting") {
  Capture cap(LinkType::Ethernet, "voice-vlan-span");
  build(cap, true, true);
  out.save_pcap(cap);
}
