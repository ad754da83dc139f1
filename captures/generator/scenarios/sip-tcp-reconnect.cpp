// A third-party SIP phone over TCP whose Contact carries its connection's port and no
// +sip.instance, on a new connection from another port.
//   Reconnect: its connection is reset; it opens a new one and refreshes under the same Call-ID
//     (RFC 3261 10.2) with the new port in its Contact. Same phone, same binding: the old Contact
//     going quiet is not a missed refresh.
//   Restart (sip-tcp-restart-no-instance): it reboots (its old connection left as it was), and registers the new Contact under a
//     new Call-ID from CSeq 1. The registrar lets the old Contact lapse, the phone registered by
//     the new: a re-registration, not a breach.
//   Shared (sip-tcp-shared-address): two devices behind one address (a NAT) register the same AOR, each on its own
//     connection and Call-ID; the first stops refreshing while the second goes on: a breach.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-18 09:00:00.000000 UTC):
//   phone  MAC 00:15:65:80:03:05  10.80.3.5, ports 50100 then 50200
//   CUCM   MAC 00:50:56:8e:60:01  10.80.1.10:5060
//   SIP    AOR sip:8035@10.80.1.10, Contact <sip:8035@10.80.3.5:PORT;transport=tcp> only;
//          REGISTER "Expires: 3600", Call-ID "8035-boot1@10.80.3.5" on connection 1;
//          200 OK: the Contact plus ";expires=120".
//   Each REGISTER is ACKed by CUCM 0.300 ms after it (pure ACK), answered 15 ms after it,
//   and the phone ACKs the response 0.2 ms after it.
//   Connection 1 (port 50100, handshake at T0 - 3/-2/-1.9 ms): CSeq 1, 2, 3 at R_0 = T0,
//     R_(k+1) = OK_k + 115 s, OK_k = R_k + 15 ms. Reconnect: CUCM resets it at X = OK_2 + 39 s.
//   Connection 2 (port 50200, handshake at Y - 3/-2/-1.9 ms), Y = OK_2 + 40 s:
//     Reconnect: CSeq 4 at Y, then (healthy) CSeq 5, 6 at OK_k + 115 s; (silent) nothing more.
//     Restart: Call-ID "8035-boot2@10.80.3.5", CSeq 1 at Y, then (healthy) CSeq 2, 3 at
//     OK + 115 s; (silent) nothing more.
//   Shared: connection 2's device (Call-ID "8035-boot2@10.80.3.5") starts at Y = T0 + 40 s with
//     CSeq 1 and refreshes 115 s after each 200 OK, five REGISTERs in all; connection 1's device
//     sends CSeq 1, 2, 3 as above, then nothing.
// Derived: Reconnect: one binding, refreshes 1..6 (1..4 when silent), intervals and lateness from
//   the 200 OK before: refresh 4 is early (interval 40 s, lateness -75 s), 5 and 6 on time
//   (interval 115 s, lateness 0). Margins from CUCM's ACKs: 14.9997 s, and 89.9997 s for refresh
//   4 (deadline OK_2 + 130 s). Healthy: no warning or error at all. Silent: one grace breach, of
//   the grant of OK_3 = Y + 15 ms (deadline OK_3 + 130 s), on the capture's next frame, CUCM
//   resolving its gateway 10.80.1.1 at OK_3 + 150 s: 20 s past it.
//   Restart: two bindings (connection 1's refreshes 1..3, connection 2's 1..3, or 1 when silent),
//   on time after the first. The old Contact's deadline OK_2 + 130 s = Y + 90 s passes with the
//   new one registered since Y + 15 ms: the first frame past it (connection 2's REGISTER CSeq 2 at
//   Y + 15 ms + 115 s, or the ARP at Y + 15 ms + 150 s) tells the re-registration, with no
//   warning or error. Silent: one grace breach, the new Contact's, 20 s past Y + 15 ms + 130 s.
//   Shared: connection 2's REGISTERs at S_k = T0 + 40 s + k (115.015 s); the first device's
//   deadline OK_2 + 130 s = T0 + 360.045 s passes before S_3 = T0 + 385.045 s: one grace breach,
//   on that REGISTER, 25 s past it.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Then { Reconnect, Restart, Shared };

void reconnect(ScenarioOutput& out, Then then, bool silent) {
  const Mac mac = "00:15:65:80:03:05";
  const Endpoint phone1{mac, "10.80.3.5", 50100};
  const Endpoint phone2{mac, "10.80.3.5", 50200};
  const Endpoint cucm{"00:50:56:8e:60:01", "10.80.1.10", 5060};
  const TimeNs t0 = utc("2023-05-18 09:00:00.000000");

  Capture cap;
  sip::Register reg1 = sip::phone_register(phone1, "8035", cucm.ip.str(), "TCP");
  reg1.user_agent = "Yealink SIP-T46S 66.86.0.15";
  reg1.expires = 3600;
  reg1.from_tag = "8035-1";
  reg1.call_id = "8035-boot1@" + phone1.ip.str();
  reg1.contacts = {sip::Contact{sip::contact_uri("8035", phone1, "tcp"), {}, {}}};
  // Connection 2's REGISTERs: the same Call-ID after a reconnect, a new one after a restart or
  // from the other device.
  sip::Register reg2 = reg1;
  reg2.via_port = phone2.port;
  reg2.contacts = {sip::Contact{sip::contact_uri("8035", phone2, "tcp"), {}, {}}};
  if (then != Then::Reconnect) {
    reg2.from_tag = "8035-2";
    reg2.call_id = "8035-boot2@" + phone2.ip.str();
  }

  // REGISTER, CUCM ACK, 200 OK, phone ACK; returns the 200 OK's time.
  auto exchange = [&](sip::Register& reg, TcpFlow& tcp, TimeNs t, std::uint32_t cseq) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK8035" + std::string(reg.call_id == reg1.call_id ? "" : "b") + std::to_string(cseq);
    return sip::tcp_transaction(tcp, t, reg.bytes(), 15_ms,
                                sip::ok(reg, "t" + std::to_string(cseq), {sip::with_expires(reg.contacts[0], 120)}).bytes());
  };

  FlowOptions opt1;
  opt1.client_isn = 3050100u;
  TcpFlow c1(cap, phone1, cucm, opt1);
  c1.handshake(t0 - 3_ms, 1_ms);
  TimeNs ok = exchange(reg1, c1, t0, 1);
  ok = exchange(reg1, c1, ok + 115_s, 2);
  ok = exchange(reg1, c1, ok + 115_s, 3);
  if (then == Then::Reconnect) c1.rst(ok + 39_s, Dir::ToClient);

  const TimeNs y = then == Then::Shared ? t0 + 40_s : ok + 40_s;
  FlowOptions opt2;
  opt2.client_isn = 3050200u;
  TcpFlow c2(cap, phone2, cucm, opt2);
  c2.handshake(y - 3_ms, 1_ms);
  const std::uint32_t first = then == Then::Reconnect ? 4 : 1;
  ok = exchange(reg2, c2, y, first);
  if (silent) {
    // Something else on the wire past the deadline, so that a single pass gets there.
    add_arp_resolution(cap, ok + 150_s, cucm, Endpoint{"00:00:0c:07:ac:01", "10.80.1.1", 0}, 500_us);
  } else {
    for (std::uint32_t cseq = first + 1; cseq < first + (then == Then::Shared ? 5 : 3); ++cseq)
      ok = exchange(reg2, c2, ok + 115_s, cseq);
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-reconnect", "SIP/TCP phone without +sip.instance reconnecting from a new port, same Call-ID") {
  reconnect(out, Then::Reconnect, false);
}

KA_SCENARIO("sip-tcp-reconnect-silent", "sip-tcp-reconnect, the phone silent after its first refresh on the new connection") {
  reconnect(out, Then::Reconnect, true);
}

KA_SCENARIO("sip-tcp-restart-no-instance", "SIP/TCP phone without +sip.instance restarting: new port, new Call-ID") {
  reconnect(out, Then::Restart, false);
}

KA_SCENARIO("sip-tcp-restart-no-instance-silent", "sip-tcp-restart-no-instance, the phone silent after its first REGISTER on the new connection") {
  reconnect(out, Then::Restart, true);
}

KA_SCENARIO("sip-tcp-shared-address", "Two devices behind one address registering one AOR over TCP; the first stops") {
  reconnect(out, Then::Shared, false);
}
