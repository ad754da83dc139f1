// Robustness: TCP sequence numbers wrapping around 2^32 in the middle of a REGISTER that is lost
// and retransmitted, and under SCCP keepalives. The retransmission must still be matched to its
// REGISTER, and delivery to the registrar's ACK/200 OK: no breach, no warning.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 15:00:00 UTC):
//   registrar/call manager MAC 00:50:56:35:00:01, 10.35.0.1 (SIP 5060/TCP, SCCP 2000)
//   SIP/TCP phone MAC 00:24:14:35:00:11, 10.35.0.11:50511, SEP002414350011, AOR sip:4061@10.35.0.1,
//     ISNs 4294966000 (phone) and 4294967000 (registrar); handshake at T0 (+0.4 ms, +0.5 ms).
//     REGISTER (Expires 3600, Cisco Contact) k = 0..5 at T_k, CSeq k + 1: T_0 = T0 + 1 s,
//     T_(k+1) = OK_k + 115 s. REGISTER 2 (third) spans the wrap of the phone's sequence space; its
//     first transmission is lost and retransmitted 420 ms later; every 200 OK (;expires=120) comes
//     10 ms after the delivered transmission; the registrar's sequence space wraps during 200 OK 1.
//   SCCP phone MAC 00:1e:4a:35:00:13, 10.35.0.13:49335, SEP001E4A350013, ISNs 4294967200 /
//     4294967100: handshake at T0 + 2 s, RegisterReq +1 ms, RegisterAck (30/60 s) +3 ms,
//     KeepAliveReq every 30 s after the RegisterReq (k = 1..20), KeepAliveAck 2 ms later.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-tcp-wrap", "Robustness: SIP/TCP retransmission and SCCP keepalives across the 2^32 sequence wrap") {
  const TimeNs t0 = utc("2023-05-15 15:00:00.000000");
  const Mac server_mac("00:50:56:35:00:01");
  const IpAddr server_ip("10.35.0.1");
  Capture cap;

  const Endpoint phone{"00:24:14:35:00:11", "10.35.0.11", 50511};
  TcpFlow tcp(cap, phone, Endpoint{server_mac, server_ip, 5060}, FlowOptions::with_isns(4294966000u, 4294967000u));
  tcp.handshake(t0, 400_us);
  sip::Register reg = sip::phone_register(phone, "4061", server_ip.str(), "TCP");
  reg.from_tag = "wrap1";
  reg.call_id = "bad-tcp-wrap@" + phone.ip.str();
  reg.expires = 3600;
  const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("4061", phone, "tcp"), phone.mac, "437");
  reg.contacts = {c};
  TimeNs t = t0 + 1_s;
  for (int k = 0; k < 6; ++k) {
    reg.cseq = static_cast<std::uint32_t>(k + 1);
    reg.branch = "z9hG4bKwrap" + std::to_string(k);
    const TimeNs delivered = tcp.send_delivered(t, Dir::ToServer, reg.bytes(), k == 2 ? 420_ms : 0);
    const TimeNs ok = delivered + 10_ms;
    tcp.send(ok, Dir::ToClient, sip::ok(reg, "okwrap", {sip::with_expires(c, 120)}).bytes());
    t = ok + 115_s;
  }

  const Endpoint sccp_phone{"00:1e:4a:35:00:13", "10.35.0.13", 49335};
  TcpFlow sccp(cap, sccp_phone, Endpoint{server_mac, server_ip, 2000},
               FlowOptions::with_isns(4294967200u, 4294967100u));
  skinny::session(sccp, skinny::phone_register_req(sccp_phone.mac, sccp_phone.ip), t0 + 2_s, 20);
  out.save_pcap(cap);
}
