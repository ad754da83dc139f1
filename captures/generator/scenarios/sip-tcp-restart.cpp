// A Cisco SIP phone over TCP that restarts between two refreshes: it resets its
// connection, opens a new one from another port and registers again with a new
// Call-ID (challenged by the registrar). Same binding: its +sip.instance is unchanged.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-17 16:00:00.000000 UTC):
//   phone  SEP00DDEE445566 (model "540")  MAC 00:dd:ee:44:55:66  10.80.3.4, ports 50100 then 50200
//   CUCM   MAC 00:50:56:8e:60:01  10.80.1.10:5060
//   SIP    AOR sip:8034@10.80.1.10, Contact <sip:8034@10.80.3.4:PORT;transport=tcp> with the
//          Cisco parameters (+sip.instance from the MAC); REGISTER "Expires: 3600";
//          200 OK: the Contact plus ";expires=120".
//   Each REGISTER is ACKed by CUCM 0.300 ms after it (pure ACK), answered 15 ms after it,
//   and the phone ACKs the response 0.2 ms after it.
//   Connection 1 (port 50100, handshake at T0 - 3/-2/-1.9 ms), Call-ID "ddee4455-first@10.80.3.4":
//     CSeq 1, 2, 3 at R_0 = T0, R_(k+1) = R_k + 15 ms + 115 s; OK_k = R_k + 15 ms.
//     Phone RST at X = OK_2 + 39 s.
//   Connection 2 (port 50200, handshake at Y - 3/-2/-1.9 ms), Call-ID "ddee4455-second@10.80.3.4",
//     Y = OK_2 + 40 s: CSeq 101 at Y -> 401 at Y + 15 ms; CSeq 102 (Authorization) at
//     Y + 30 ms -> 200 OK at Y + 45 ms (OK_3); CSeq 103, 104 at OK_(k) + 115 s (refreshes).
// Derived: one binding, refresh numbers 1..6: 1-3 on connection 1, 4 = the restart (new
//   Call-ID: interval 40 s, lateness -75 s, challenged: CSeq 102 is the same attempt),
//   5 and 6 on time (interval 115 s, lateness 0). Margins 14.9997 s, from the ACKs: refreshes
//   2, 3 on the ACKs; refresh 4 (deadline OK_2 + 130 s): the ACK of CSeq 101 at Y + 0.3 ms
//   carries none, a restarted phone's first REGISTER being likely challenged, the ACK of
//   CSeq 102, the REGISTER that ends in 2xx, at Y + 30.3 ms -> 89.9697 s; refreshes 5, 6: the
//   registrar has challenged the binding, so the 200 OKs carry the margins of their ACKs.
//   No warning or error at all.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-tcp-restart", "SIP/TCP phone restarting between refreshes: new connection and Call-ID, same binding") {
  const Mac mac = "00:dd:ee:44:55:66";
  const Endpoint phone1{mac, "10.80.3.4", 50100};
  const Endpoint phone2{mac, "10.80.3.4", 50200};
  const Endpoint cucm{"00:50:56:8e:60:01", "10.80.1.10", 5060};
  const TimeNs t0 = utc("2023-05-17 16:00:00.000000");

  Capture cap;
  auto contact_for = [&](const Endpoint& p) {
    return sip::cisco_phone_contact(sip::contact_uri("8034", p, "tcp"), mac, "540");
  };
  sip::Register reg = sip::phone_register(phone1, "8034", cucm.ip.str(), "TCP");
  reg.user_agent = "Cisco-CP8961/9.4.2";
  reg.expires = 3600;

  // REGISTER, CUCM ACK, response, phone ACK; returns the response time.
  auto exchange = [&](TcpFlow& tcp, TimeNs t, std::uint32_t cseq, bool challenge) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK8034" + std::to_string(cseq);
    const std::string tag = "t" + std::to_string(cseq);
    sip::Response resp = challenge ? sip::unauthorized(reg, tag, "ccm", "n" + std::to_string(cseq))
                                   : sip::ok(reg, tag, {sip::with_expires(reg.contacts[0], 120)});
    return sip::tcp_transaction(tcp, t, reg.bytes(), 15_ms, resp.bytes());
  };

  FlowOptions opt1;
  opt1.client_isn = 1234567u;
  TcpFlow c1(cap, phone1, cucm, opt1);
  c1.handshake(t0 - 3_ms, 1_ms);
  reg.from_tag = "ddee-1";
  reg.call_id = "ddee4455-first@" + phone1.ip.str();
  reg.contacts = {contact_for(phone1)};
  TimeNs ok = exchange(c1, t0, 1, false);
  ok = exchange(c1, ok + 115_s, 2, false);
  ok = exchange(c1, ok + 115_s, 3, false);
  c1.rst(ok + 39_s, Dir::ToServer);

  const TimeNs y = ok + 40_s;
  FlowOptions opt2;
  opt2.client_isn = 7654321u;
  TcpFlow c2(cap, phone2, cucm, opt2);
  c2.handshake(y - 3_ms, 1_ms);
  reg.via_port = phone2.port;
  reg.from_tag = "ddee-2";
  reg.call_id = "ddee4455-second@" + phone2.ip.str();
  reg.contacts = {contact_for(phone2)};
  exchange(c2, y, 101, true);
  reg.authorization = sip::digest_credentials("8034", "ccm", "n101", reg.request_uri, "0123456789abcdef0123456789abcdef");
  ok = exchange(c2, y + 30_ms, 102, false);
  ok = exchange(c2, ok + 115_s, 103, false);
  exchange(c2, ok + 115_s, 104, false);
  out.save_pcap(cap);
}
