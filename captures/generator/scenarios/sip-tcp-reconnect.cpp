// A third-party SIP phone over TCP whose Contact carries its connection's port and no
// +sip.instance. Its connection is reset; it opens a new one from another port and refreshes
// under the same Call-ID (RFC 3261 10.2) with the new port in its Contact. Same phone, same
// binding: the old Contact going quiet is not a missed refresh.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-18 09:00:00.000000 UTC):
//   phone  MAC 00:15:65:80:03:05  10.80.3.5, ports 50100 then 50200
//   CUCM   MAC 00:50:56:8e:60:01  10.80.1.10:5060
//   SIP    AOR sip:8035@10.80.1.10, Contact <sip:8035@10.80.3.5:PORT;transport=tcp> only;
//          REGISTER "Expires: 3600", Call-ID "8035-boot1@10.80.3.5" throughout;
//          200 OK: the Contact plus ";expires=120".
//   Each REGISTER is ACKed by CUCM 0.300 ms after it (pure ACK), answered 15 ms after it,
//   and the phone ACKs the response 0.2 ms after it.
//   Connection 1 (port 50100, handshake at T0 - 3/-2/-1.9 ms): CSeq 1, 2, 3 at R_0 = T0,
//     R_(k+1) = OK_k + 115 s, OK_k = R_k + 15 ms. CUCM resets it at X = OK_2 + 39 s.
//   Connection 2 (port 50200, handshake at Y - 3/-2/-1.9 ms), Y = OK_2 + 40 s: CSeq 4 at Y,
//     then (healthy) CSeq 5, 6 at OK_k + 115 s; (silent) nothing more.
// Derived: one binding, refreshes 1..6 (1..4 when silent), intervals and lateness from the 200 OK
//   before: refresh 4 is early (interval 40 s, lateness -75 s), 5 and 6 on time (interval 115 s,
//   lateness 0). Margins from CUCM's ACKs: 14.9997 s, and 89.9997 s for refresh 4 (deadline
//   OK_2 + 130 s). Healthy: no warning or error at all. Silent: one grace breach, of the grant of
//   OK_3 = Y + 15 ms (deadline OK_3 + 130 s), on the capture's next frame, CUCM resolving its
//   gateway 10.80.1.1 at OK_3 + 150 s: 20 s past it.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void reconnect(ScenarioOutput& out, bool silent) {
  const Mac mac = "00:15:65:80:03:05";
  const Endpoint phone1{mac, "10.80.3.5", 50100};
  const Endpoint phone2{mac, "10.80.3.5", 50200};
  const Endpoint cucm{"00:50:56:8e:60:01", "10.80.1.10", 5060};
  const TimeNs t0 = utc("2023-05-18 09:00:00.000000");

  Capture cap;
  sip::Register reg = sip::phone_register(phone1, "8035", cucm.ip.str(), "TCP");
  reg.user_agent = "Yealink SIP-T46S 66.86.0.15";
  reg.expires = 3600;
  reg.from_tag = "8035-1";
  reg.call_id = "8035-boot1@" + phone1.ip.str();

  // REGISTER, CUCM ACK, 200 OK, phone ACK; returns the 200 OK's time.
  auto exchange = [&](TcpFlow& tcp, TimeNs t, std::uint32_t cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK8035" + std::to_string(cseq);
    return sip::tcp_transaction(tcp, t, reg.bytes(), 15_ms,
                                sip::ok(reg, "t" + std::to_string(cseq), {sip::with_expires(reg.contacts[0], 120)}).bytes());
  };

  FlowOptions opt1;
  opt1.client_isn = 3050100u;
  TcpFlow c1(cap, phone1, cucm, opt1);
  c1.handshake(t0 - 3_ms, 1_ms);
  reg.contacts = {sip::Contact{sip::contact_uri("8035", phone1, "tcp"), {}, {}}};
  TimeNs ok = exchange(c1, t0, 1);
  ok = exchange(c1, ok + 115_s, 2);
  ok = exchange(c1, ok + 115_s, 3);
  c1.rst(ok + 39_s, Dir::ToClient);

  const TimeNs y = ok + 40_s;
  FlowOptions opt2;
  opt2.client_isn = 3050200u;
  TcpFlow c2(cap, phone2, cucm, opt2);
  c2.handshake(y - 3_ms, 1_ms);
  reg.via_port = phone2.port;
  reg.contacts = {sip::Contact{sip::contact_uri("8035", phone2, "tcp"), {}, {}}};
  ok = exchange(c2, y, 4);
  if (silent) {
    // Something else on the wire past the deadline, so that a single pass gets there.
    add_arp_resolution(cap, ok + 150_s, cucm, Endpoint{"00:00:0c:07:ac:01", "10.80.1.1", 0}, 500_us);
  } else {
    ok = exchange(c2, ok + 115_s, 5);
    exchange(c2, ok + 115_s, 6);
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-reconnect", "SIP/TCP phone without +sip.instance reconnecting from a new port, same Call-ID") {
  reconnect(out, false);
}

KA_SCENARIO("sip-tcp-reconnect-silent", "sip-tcp-reconnect, the phone silent after its first refresh on the new connection") {
  reconnect(out, true);
}
