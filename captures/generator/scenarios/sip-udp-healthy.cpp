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
//
// sip-udp-scanner: the same phone while a SIP scanner (SIPVicious' "friendly-scanner") on the
// internet enumerates extensions, guesses the phone's password, registers its AOR to itself and
// tries to remove its binding. The registrar refuses or ignores every scanner request; nothing of
// it touches the phone's binding.
//   scanner 203.0.113.66:5070, behind the router MAC 00:50:56:8e:00:01, User-Agent
//   friendly-scanner, Contact <sip:EXT@203.0.113.66:PORT>, no Expires unless said; answers 2 ms
//   after their request. Frames in time order (no two at the same time).
//   A (T0 + 60 s): extensions 2990..3010 in turn, one every 20 ms, each a new Call-ID, CSeq 1;
//     answered 401 for 3001, 404 for the others.
//   B (T0 + 62 s): ten guesses for 3001, one every 50 ms, one Call-ID, CSeq 1..10, each with an
//     Authorization header; answered 401 (a new nonce) but the tenth, 403.
//   C (T0 + 300 s): a REGISTER for 3001 with Expires 3600, never answered (the registrar drops
//     the scanner's address), sent again after 0.5, 1, 2, 4, 4, 4, 4, 4 s (Timer E up to T2).
//   D (T0 + 400 s): "Contact: *" with Expires 0 for 3001, answered 401.
//   E (T0 + 500 s): REGISTERs for 3001 from ports 5071..5090, one every 5 ms, each its own
//     Call-ID, Expires 60; the first ten answered 401, the rest never.
//   F (T0 + 600 s): a REGISTER for 3001 naming the phone's own Contact (as the phone sends it)
//     with Expires 0, Call-ID "unreg3001", sent again after 0.5 s; that one is answered 403.
#include <functional>
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// `also` adds other hosts' frames to the capture, given the registrar and the phone's Contact.
using Others = std::function<void(Capture&, const Endpoint& cucm, const sip::Contact& phone)>;
void healthy(ScenarioOutput& out, std::size_t mtu, const Others& also = {}) {
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
  if (also) also(cap, cucm, contact);
  out.save_pcap(cap);
}

// A REGISTER of the scanner at `scanner` for extension `ext`.
sip::Register scanner_register(const Endpoint& scanner, const std::string& ext, const std::string& domain,
                               const std::string& call_id, std::uint32_t cseq) {
  sip::Register r = sip::phone_register(scanner, ext, domain);
  r.from_tag = "3361376264643965";
  r.call_id = call_id;
  r.cseq = cseq;
  r.branch = "z9hG4bK-" + call_id + "-" + std::to_string(cseq);
  r.user_agent = "friendly-scanner";
  r.contacts = {sip::Contact{sip::contact_uri(ext, scanner), {}, {}}};
  return r;
}

void scan(Capture& cap, const Endpoint& cucm, const sip::Contact& phone) {
  const Endpoint scanner{"00:50:56:8e:00:01", "203.0.113.66", 5070};
  const TimeNs t0 = utc("2023-05-10 09:00:00.000000");
  const std::string domain = cucm.ip.str();
  const auto exchange = [&](TimeNs t, const sip::Register& r, const sip::Response* answer, std::uint16_t port) {
    Endpoint from = scanner;
    from.port = port;
    UdpFlow udp(cap, from, cucm);
    udp.send(t, Dir::ToServer, r.bytes());
    if (answer) udp.send(t + 2_ms, Dir::ToClient, answer->bytes());
  };

  TimeNs t = t0 + 60_s;  // A
  for (int ext = 2990; ext <= 3010; ++ext, t += 20_ms) {
    const std::string e = std::to_string(ext);
    const sip::Register r = scanner_register(scanner, e, domain, "enum" + e, 1);
    const sip::Response no = ext == 3001 ? sip::unauthorized(r, "a" + e, domain, "n0") : sip::respond(r, 404, "a" + e);
    exchange(t, r, &no, scanner.port);
  }
  t = t0 + 62_s;  // B
  for (std::uint32_t k = 1; k <= 10; ++k, t += 50_ms) {
    sip::Register r = scanner_register(scanner, "3001", domain, "crack3001", k);
    r.authorization = sip::digest_credentials("3001", domain, "n" + std::to_string(k - 1), "sip:" + domain,
                                              "0123456789abcdef0123456789abcdef");
    const sip::Response no = k < 10 ? sip::unauthorized(r, "b" + std::to_string(k), domain, "n" + std::to_string(k))
                                    : sip::forbidden(r, "b10");
    exchange(t, r, &no, scanner.port);
  }
  sip::Register hijack = scanner_register(scanner, "3001", domain, "hijack3001", 1);  // C
  hijack.expires = 3600;
  t = t0 + 300_s;
  for (TimeNs gap : {0_s, 500_ms, 1_s, 2_s, 4_s, 4_s, 4_s, 4_s, 4_s}) exchange(t += gap, hijack, nullptr, scanner.port);
  sip::Register wipe = scanner_register(scanner, "3001", domain, "wipe3001", 1);  // D
  wipe.contacts.clear();
  wipe.extra_headers = {{"Contact", "*"}};
  wipe.expires = 0;
  const sip::Response refused = sip::unauthorized(wipe, "d1", domain, "n20");
  exchange(t0 + 400_s, wipe, &refused, scanner.port);
  t = t0 + 500_s;  // E
  for (std::uint16_t k = 0; k < 20; ++k, t += 5_ms) {
    Endpoint from = scanner;
    from.port = static_cast<std::uint16_t>(5071 + k);
    sip::Register r = scanner_register(from, "3001", domain, "spray" + std::to_string(k), 1);
    r.expires = 60;
    const sip::Response no = sip::unauthorized(r, "e" + std::to_string(k), domain, "n3" + std::to_string(k));
    exchange(t, r, k < 10 ? &no : nullptr, from.port);
  }
  sip::Register unreg = scanner_register(scanner, "3001", domain, "unreg3001", 1);  // F
  unreg.contacts = {phone};
  unreg.expires = 0;
  exchange(t0 + 600_s, unreg, nullptr, scanner.port);
  const sip::Response forbidden = sip::forbidden(unreg, "f1");
  exchange(t0 + 600_s + 500_ms, unreg, &forbidden, scanner.port);
}

}  // namespace

KA_SCENARIO("sip-udp-healthy", "SIP/UDP phone refreshing every 115 s against a 120 s grant for 30 min, no loss") {
  healthy(out, 0);
}

KA_SCENARIO("sip-udp-healthy-fragmented", "sip-udp-healthy over a 296-byte MTU: every message in IPv4 fragments (REGISTERs three, 200 OKs two)") {
  healthy(out, 296);
}

KA_SCENARIO("sip-udp-scanner", "sip-udp-healthy with a SIP scanner refused or ignored by the registrar: silent") {
  healthy(out, 0, scan);
}
