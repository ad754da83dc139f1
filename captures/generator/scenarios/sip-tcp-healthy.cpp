// Healthy twin of case study B: a SIP phone over TCP, on a VLAN, refreshing every
// 115 s against a 120 s grant for 30 minutes; nothing lost, every REGISTER ACKed
// at once by the registrar.
//
// Parameters (Ethernet + 802.1Q VLAN 230, microsecond pcap,
// T0 = 2023-05-11 14:00:00.000000 UTC):
//   phone  SEP001B54C28A41 (model "540")  MAC 00:1b:54:c2:8a:41  10.147.230.77:51000
//   CUCM   MAC 00:1b:54:c2:8a:40  178.215.139.22:5060
//   TCP    handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms; ISN phone 4000000000, CUCM 200000
//   SIP    AOR sip:4077@178.215.139.22, one Call-ID, CSeq 1..16, REGISTER "Expires: 3600",
//          Contact <sip:4077@10.147.230.77:51000;transport=tcp> with the Cisco
//          +sip.instance / devicename / model parameters;
//          200 OK: that Contact plus ";expires=120", no Expires header.
//   Transaction k (k = 0..15): REGISTER at R_k, CUCM pure ACK at R_k + 0.300 ms,
//     200 OK at R_k + 12 ms, phone ACK at R_k + 12.2 ms; R_0 = T0,
//     R_(k+1) = R_k + 12 ms + 115 s.  R_15 < T0 + 30 min < R_16.
//   Frames: 1-3 handshake, then 4 per transaction from frame 4 + 4k:
//     REGISTER, ACK (delivery), 200 OK, phone ACK.  67 frames.
//
// Derived: interval exactly 115 s, lateness 0, margin on each ACK
// = deadline - delivery = (R_k + 15 s) - (R_k + 0.3 ms) = 14.9997 s, no retransmission.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-tcp-healthy", "SIP/TCP phone on a VLAN refreshing every 115 s against a 120 s grant, no loss") {
  const Endpoint phone{"00:1b:54:c2:8a:41", "10.147.230.77", 51000};
  const Endpoint cucm{"00:1b:54:c2:8a:40", "178.215.139.22", 5060};
  const TimeNs t0 = utc("2023-05-11 14:00:00.000000");
  const TimeNs end = t0 + 30 * 60_s;

  Capture cap;
  FlowOptions opt = FlowOptions::with_isns(4000000000u, 200000u);
  opt.vlan = 230;
  TcpFlow tcp(cap, phone, cucm, opt);
  tcp.handshake(t0 - 3_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "4077", cucm.ip.str(), "TCP");
  reg.from_tag = "001b54c28a41-77";
  reg.call_id = "001b54c2-8a410001-11223344@" + phone.ip.str();
  reg.user_agent = "Cisco-CP8961/9.4.2";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("4077", phone, "tcp"), phone.mac, "540");
  reg.contacts = {contact};

  TimeNs t = t0;
  for (std::uint32_t cseq = 1; t < end; ++cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK77" + std::to_string(cseq);
    sip::Response ok = sip::ok(reg, "77" + std::to_string(cseq), {sip::with_expires(contact, 120)});
    ok.server = "Cisco-CUCM11.5";
    t = sip::tcp_transaction(tcp, t, reg.bytes(), 12_ms, ok.bytes()) + 115_s;
  }
  out.save_pcap(cap);
}
