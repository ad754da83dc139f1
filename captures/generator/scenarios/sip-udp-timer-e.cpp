// A SIP phone over UDP whose refreshes lose datagrams: RFC 3261 Timer E resends
// (T1 = 0.5 s doubling up to T2 = 4 s), one refresh answered after five resends,
// the next never answered until Timer F (32 s) gives up, past the deadline.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-12 08:00:00.000000 UTC):
//   phone  SEP00562B0A1C3E (model "437")  MAC 00:56:2b:0a:1c:3e  10.30.40.50:5060
//   CUCM   MAC 00:50:56:8e:20:0b  10.30.1.10:5060
//   SIP    AOR sip:5050@10.30.1.10, one Call-ID, REGISTER "Expires: 3600", Cisco Contact
//          <sip:5050@10.30.40.50:5060>; 200 OK: the Contact plus ";expires=120".
//   Timer E offsets of the transmissions of one transaction, from its first:
//     0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 s
//     (gaps 0.5, 1, 2, 4, 4, 4, 4, 4, 4, 4 s; 11 transmissions before Timer F at 32 s).
//   Attempt 1: CSeq 1 at T0, 200 OK at T0 + 10 ms.                       frames 1, 2
//   Attempt 2: CSeq 2 first sent at OK1 + 115 s, sent 6 times (offsets 0 .. 11.5 s),
//              200 OK 10 ms after the 6th transmission.                   frames 3-8, 9
//   Attempt 3: CSeq 3 first sent at OK2 + 115 s, all 11 transmissions, no answer.
//                                                                          frames 10-20
// Derived (grant 120 s, delta 5 s, grace 15 s):
//   attempt 2: lateness 0, retransmission counts 1..5, gaps 0.5, 1, 2, 4, 4 s,
//              margin on its 200 OK = 15 - 11.5 - 0.01 = 3.49 s, total 5.
//   attempt 3: deadline = OK2 + 130 s = first tx + 15 s; the first frame past it is the
//              transmission at offset 15.5 s (frame 16): grace breach, overrun 0.5 s.
//
// sip-udp-timer-e-fragmented: the same over a path with an MTU of 296 bytes (low-MTU PPP and
// satellite links): every datagram (REGISTER 513 bytes, 200 OK 450 bytes of UDP) goes out as two
// IPv4 fragments (272 bytes of UDP data, then the rest), both at the datagram's time. Every SIP
// message then ends on its second fragment, and the first frame past attempt 3's deadline is the
// first fragment of its 7th transmission.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void timer_e(ScenarioOutput& out, std::size_t mtu) {
  const Endpoint phone{"00:56:2b:0a:1c:3e", "10.30.40.50", 5060};
  const Endpoint cucm{"00:50:56:8e:20:0b", "10.30.1.10", 5060};
  const TimeNs t0 = utc("2023-05-12 08:00:00.000000");
  const TimeNs offsets[] = {0_ms, 500_ms, 1500_ms, 3500_ms, 7500_ms, 11500_ms,
                            15500_ms, 19500_ms, 23500_ms, 27500_ms, 31500_ms};

  Capture cap;
  FlowOptions opt;
  opt.mtu = mtu;
  UdpFlow udp(cap, phone, cucm, opt);
  sip::Register reg = sip::phone_register(phone, "5050", cucm.ip.str());
  reg.via_params = {"rport"};
  reg.from_tag = "00562b0a1c3e-5050";
  reg.call_id = "00562b0a-1c3e0001-5050@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7975G/9.4.2";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("5050", phone), phone.mac, "437");
  reg.contacts = {contact};

  // Sends transaction `cseq` `count` times from `first`; returns the time of the last transmission.
  auto transmit = [&](std::uint32_t cseq, TimeNs first, int count) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK50" + std::to_string(cseq);
    for (int i = 0; i < count; ++i) udp.send(first + offsets[i], Dir::ToServer, reg.bytes());
    return first + offsets[count - 1];
  };
  auto answer = [&](TimeNs t) {
    sip::Response ok = sip::ok(reg, "50" + std::to_string(reg.cseq), {sip::with_expires(contact, 120)});
    udp.send(t, Dir::ToClient, ok.bytes());
    return t;
  };

  const TimeNs ok1 = answer(transmit(1, t0, 1) + 10_ms);
  const TimeNs ok2 = answer(transmit(2, ok1 + 115_s, 6) + 10_ms);
  transmit(3, ok2 + 115_s, 11);
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-timer-e", "SIP/UDP refreshes resent by Timer E: one answered after 5 resends, one never answered") {
  timer_e(out, 0);
}

KA_SCENARIO("sip-udp-timer-e-fragmented", "sip-udp-timer-e over a 296-byte MTU: every message in two IPv4 fragments") {
  timer_e(out, 296);
}
