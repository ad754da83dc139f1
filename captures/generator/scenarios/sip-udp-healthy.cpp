// Healthy baseline: a SIP phone over UDP refreshing every 115 s against a 120 s
// grant for 30 minutes; every REGISTER answered within 20 ms; nothing lost.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-10 09:00:00.000000 UTC):
//   phone  SEP0024142DDF24 (model "437")  MAC 00:24:14:2d:df:24  10.20.30.40:5060
//   CUCM   MAC 00:50:56:8e:10:0a  10.20.1.10:5060
//   SIP    AOR sip:3001@10.20.1.10, one Call-ID, CSeq 1..16, Via UDP with rport,
//          REGISTER "Expires: 3600", Contact <sip:3001@10.20.30.40:5060>
//          ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-0024142ddf24>"
//          ;+u.sip!devicename.ccm.cisco.com="SEP0024142DDF24";+u.sip!model.ccm.cisco.com="437"
//          200 OK: that Contact plus ";expires=120", no Expires header.
//   Transaction k (k = 0..15): REGISTER at R_k, 200 OK at R_k + d_k, where
//     R_0 = T0, R_(k+1) = (R_k + d_k) + 115.000000 s exactly,
//     d_k uniform in [8 ms, 20 ms] in whole microseconds from Rng(20230510)
//     (d_k = rng.duration(8 ms, 20 ms) drawn in order k = 0, 1, ...).
//   R_15 < T0 + 30 min < R_16, so 16 transactions = 32 frames
//   (frame 2k+1 = REGISTER k, frame 2k+2 = its 200 OK).
//
// Derived: every refresh (k >= 1) has interval exactly 115 s and lateness 0;
// margin_k = 15 s - d_k, i.e. in [14.980, 14.992] s; no retransmission.
//
// sip-udp-healthy-fragmented: the same over a path with an MTU of 296 bytes: every datagram goes
// out as IPv4 fragments of 272 bytes of UDP data and the rest, all at the datagram's time. A
// REGISTER (545 or 546 bytes of UDP) takes three fragments, the last of 1 or 2 bytes; a 200 OK
// (508 or 510 bytes) two. Transaction k is frames 5k+1 .. 5k+5: its REGISTER ends on frame
// 5k+3, its 200 OK on 5k+5.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void healthy(ScenarioOutput& out, std::size_t mtu) {
  const Endpoint phone{"00:24:14:2d:df:24", "10.20.30.40", 5060};
  const Endpoint cucm{"00:50:56:8e:10:0a", "10.20.1.10", 5060};
  const TimeNs t0 = utc("2023-05-10 09:00:00.000000");
  const TimeNs end = t0 + 30 * 60_s;
  Rng rng(20230510);

  Capture cap;
  FlowOptions opt;
  opt.mtu = mtu;
  UdpFlow udp(cap, phone, cucm, opt);

  sip::Register reg = sip::phone_register(phone, "3001", cucm.ip.str());
  reg.via_params = {"rport"};
  reg.from_tag = "0024142ddf24000f1b2c3d4e-2a5f9c01";
  reg.call_id = "0024142d-df240002-6a7b8c9d-0e1f2a3b@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7975G/9.4.2";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("3001", phone), phone.mac, "437");
  reg.contacts = {contact};

  TimeNs t = t0;
  for (std::uint32_t cseq = 1; t < end; ++cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK7c" + std::to_string(1000 + cseq);
    udp.send(t, Dir::ToServer, reg.bytes());
    const TimeNs ok_at = t + rng.duration(8_ms, 20_ms);
    sip::Response ok = sip::ok(reg, "5521" + std::to_string(cseq), {sip::with_expires(contact, 120)});
    ok.server = "Cisco-CUCM14.0";
    udp.send(ok_at, Dir::ToClient, ok.bytes());
    t = ok_at + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-healthy", "SIP/UDP phone refreshing every 115 s against a 120 s grant for 30 min, no loss") {
  healthy(out, 0);
}

KA_SCENARIO("sip-udp-healthy-fragmented", "sip-udp-healthy over a 296-byte MTU: every message in IPv4 fragments (REGISTERs three, 200 OKs two)") {
  healthy(out, 296);
}
