// A softphone behind a NAT, captured at the registrar, whose Contact carries the public address and
// port the registrar saw (rport, RFC 3581), without +sip.instance. The NAT forgets its mapping
// between two refreshes: the next REGISTER comes from a new public port with the old Contact, the
// 200 OK's Via tells the phone its new port, and it registers the new Contact at once under the
// same Call-ID, leaving the old one to lapse (as PJSIP's contact rewrite does by default). The
// registrar lists every current binding in its 200 OKs, each with its remaining time. The phone
// stays registered throughout.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-05 10:00:00.000000 UTC):
//   NAT    MAC 00:00:5e:00:01:07 (every frame of the phone's), public 198.51.100.7, ports 40001
//          then 40777
//   registrar  MAC 00:50:56:8e:70:01  203.0.113.10:5060
//   SIP    AOR sip:8040@203.0.113.10, Call-ID "nat-8040@192.168.1.40" throughout, REGISTER
//          "Expires: 120", Contact <sip:8040@198.51.100.7:PORT;ob> (old: 40001, new: 40777);
//          each REGISTER answered 15 ms after it; the 200 OK's Via adds received and rport.
//   CSeq 1, 2 from 40001 at R_0 = T0, R_1 = OK_0 + 115 s (OK_k = R_k + 15 ms), Contact old;
//     200 OK: old;expires=120.
//   CSeq 3 from 40777 at R_2 = OK_1 + 115 s, Contact old; 200 OK: old;expires=120.
//   CSeq 4 from 40777 at R_3 = OK_2 + 10 ms, Contact new; 200 OK: new;expires=120, old;expires=120.
//   CSeq 5, 6, 7 from 40777 at R_(k+1) = OK_k + 115 s, Contact new; 200 OK: new;expires=120, and
//     for CSeq 5 old;expires=5 (its remaining time, OK_2 + 120 s - OK_4 = 4.96 s, rounded); the old
//     Contact expired at the registrar at OK_2 + 120 s, before CSeq 6.
//   sip-udp-nat-rebind-silent: nothing after CSeq 4 but the registrar resolving its gateway
//   203.0.113.1 by ARP at OK_3 + 150 s.
//   sip-udp-nat-rebind-unregister: CSeq 4 also lists the old Contact with ";expires=0" (PJSIP's
//   other way), and no 200 OK lists it again.
// Derived: the old Contact is refreshed on time at CSeq 2 and 3 (the same Contact from a new
//   port); its deadline OK_2 + 130 s passes between CSeq 5 and 6, with the new Contact registered
//   since OK_3: not a breach. The new Contact's refreshes (CSeq 5, 6, 7) are on time. No warning
//   or error at all. Silent: both deadlines (OK_2 + 130 s, then OK_3 + 130 s = OK_2 + 130.025 s)
//   pass at the ARP (frame 9): the old Contact's lapse, and the new one's grace breach, 20 s past.
//   Unregister: CSeq 4 is the old Contact's de-registration (a note) and the new one's first
//   REGISTER; the old Contact expects nothing more. No warning or error.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Then { Lapse, Silent, Unregister };

void rebind(ScenarioOutput& out, Then then) {
  const Mac nat_mac = "00:00:5e:00:01:07";
  const Endpoint before{nat_mac, "198.51.100.7", 40001};
  const Endpoint after{nat_mac, "198.51.100.7", 40777};
  const Endpoint registrar{"00:50:56:8e:70:01", "203.0.113.10", 5060};
  const TimeNs t0 = utc("2023-06-05 10:00:00.000000");

  Capture cap;
  UdpFlow flow1(cap, before, registrar);
  UdpFlow flow2(cap, after, registrar);

  sip::Register reg = sip::phone_register(before, "8040", registrar.ip.str());
  reg.via_host = "192.168.1.40";
  reg.via_params = {"rport"};
  reg.from_tag = "nat8040";
  reg.call_id = "nat-8040@192.168.1.40";
  reg.user_agent = "MicroSIP/3.21.3";
  reg.expires = 120;
  const sip::Contact old_contact{"sip:8040@198.51.100.7:40001;ob", {}, {}};
  const sip::Contact new_contact{"sip:8040@198.51.100.7:40777;ob", {}, {}};

  // REGISTER CSeq `cseq` with `contacts` on `flow` at t; the 200 OK lists `listed`. Returns its time.
  auto exchange = [&](UdpFlow& flow, const Endpoint& from, TimeNs t, std::uint32_t cseq,
                      std::vector<sip::Contact> contacts, std::vector<sip::Contact> listed) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bKnat" + std::to_string(cseq);
    reg.contacts = std::move(contacts);
    reg.via_params = {"rport"};
    flow.send(t, Dir::ToServer, reg.bytes());
    sip::Register seen = reg;
    seen.via_params = {"rport=" + std::to_string(from.port), "received=" + from.ip.str()};
    flow.send(t + 15_ms, Dir::ToClient, sip::ok(seen, "r" + std::to_string(cseq), std::move(listed)).bytes());
    return t + 15_ms;
  };

  TimeNs ok = exchange(flow1, before, t0, 1, {old_contact}, {sip::with_expires(old_contact, 120)});
  ok = exchange(flow1, before, ok + 115_s, 2, {old_contact}, {sip::with_expires(old_contact, 120)});
  ok = exchange(flow2, after, ok + 115_s, 3, {old_contact}, {sip::with_expires(old_contact, 120)});
  if (then == Then::Unregister) {
    ok = exchange(flow2, after, ok + 10_ms, 4, {new_contact, sip::with_expires(old_contact, 0)},
                  {sip::with_expires(new_contact, 120)});
  } else {
    ok = exchange(flow2, after, ok + 10_ms, 4, {new_contact},
                  {sip::with_expires(new_contact, 120), sip::with_expires(old_contact, 120)});
  }
  if (then == Then::Silent) {
    add_arp_resolution(cap, ok + 150_s, registrar, Endpoint{"00:00:0c:07:ac:71", "203.0.113.1", 0}, 500_us);
  } else {
    std::vector<sip::Contact> listed{sip::with_expires(new_contact, 120)};
    if (then == Then::Lapse) listed.push_back(sip::with_expires(old_contact, 5));
    ok = exchange(flow2, after, ok + 115_s, 5, {new_contact}, listed);
    ok = exchange(flow2, after, ok + 115_s, 6, {new_contact}, {sip::with_expires(new_contact, 120)});
    exchange(flow2, after, ok + 115_s, 7, {new_contact}, {sip::with_expires(new_contact, 120)});
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-nat-rebind", "SIP/UDP softphone behind a NAT whose public port changes: a new Contact, same Call-ID") {
  rebind(out, Then::Lapse);
}

KA_SCENARIO("sip-udp-nat-rebind-silent", "sip-udp-nat-rebind, the phone silent after registering its new Contact") {
  rebind(out, Then::Silent);
}

KA_SCENARIO("sip-udp-nat-rebind-unregister", "sip-udp-nat-rebind, the old Contact removed (expires=0) in the new one's REGISTER") {
  rebind(out, Then::Unregister);
}
