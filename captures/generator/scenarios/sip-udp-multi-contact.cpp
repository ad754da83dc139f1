// A softphone registering two Contacts in one REGISTER (its own and a companion's on another
// port), refreshing every 115 s after each 200 OK for 10 minutes; every REGISTER answered in 15 ms.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-02 14:00:00.000000 UTC):
//   phone  MAC 00:1b:2c:3d:4e:5f  10.40.0.21:5060     registrar  MAC 00:50:56:8e:40:01  10.40.1.10:5060
//   SIP    AOR sip:4001@10.40.1.10, one Call-ID, CSeq 1..6, REGISTER "Expires: 120",
//          Contacts <sip:4001@10.40.0.21:5060> and <sip:4001@10.40.0.21:5070;transport=udp>
//          (no device name, no +sip.instance).
//   Transaction k (k = 0..5): REGISTER at R_k = T0 + k * 115.015 s, 200 OK at R_k + 15 ms;
//   frame 2k+1 = REGISTER k, frame 2k+2 = its 200 OK. R_5 = T0 + 575.075 s is the last.
//
// sip-udp-multi-contact-healthy: the 200 OK grants both contacts expires=120. Both bindings:
//   expected = OK_k + 115 s, deadline = OK_k + 130 s; every refresh on time (lateness 0).
// sip-udp-multi-contact: the registrar trims the companion's contact to expires=60; the phone
//   still refreshes on the 120 s grant. The companion's binding expects its refresh at
//   OK_k + 55 s and breaks its deadline (OK_k + 70 s) 45 s before REGISTER k+1, which tells the
//   breach (the first frame past it) and is 60 s late for it.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void two_contacts(ScenarioOutput& out, std::uint32_t companion_grant) {
  const Endpoint phone{"00:1b:2c:3d:4e:5f", "10.40.0.21", 5060};
  const Endpoint registrar{"00:50:56:8e:40:01", "10.40.1.10", 5060};
  const TimeNs t0 = utc("2023-06-02 14:00:00.000000");

  Capture cap;
  UdpFlow udp(cap, phone, registrar);

  sip::Register reg = sip::phone_register(phone, "4001", registrar.ip.str());
  reg.via_params = {"rport"};
  reg.from_tag = "9a8b7c6d";
  reg.call_id = "5f3e2d1c-multi@" + phone.ip.str();
  reg.user_agent = "Softphone/2.1";
  reg.expires = 120;
  const sip::Contact own{sip::contact_uri("4001", phone), {}, {}};
  const sip::Contact companion{"sip:4001@" + phone.ip.str() + ":5070;transport=udp", {}, {}};
  reg.contacts = {own, companion};

  for (std::uint32_t k = 0; k < 6; ++k) {
    const TimeNs t = t0 + k * (115_s + 15_ms);
    reg.cseq = k + 1;
    reg.branch = "z9hG4bKmc" + std::to_string(100 + k);
    udp.send(t, Dir::ToServer, reg.bytes());
    sip::Response ok = sip::ok(reg, "r" + std::to_string(k),
                               {sip::with_expires(own, 120), sip::with_expires(companion, companion_grant)});
    udp.send(t + 15_ms, Dir::ToClient, ok.bytes());
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-multi-contact-healthy", "one REGISTER, two Contacts, both granted 120 s and refreshed every 115 s") {
  two_contacts(out, 120);
}

KA_SCENARIO("sip-udp-multi-contact", "one REGISTER, two Contacts; the registrar trims one to 60 s, the phone refreshes on 120 s: that binding breaches") {
  two_contacts(out, 60);
}
