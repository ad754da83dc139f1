// SPEC 2.3's method: a SIP phone's registration over TCP captured at the phone's switch port and at
// the call manager's, merged into one pcapng (interface 0 = phone side, 1 = CUCM side), with one
// refresh's first transmission lost between the two points (path-two-points.pcapng), and the
// same without the loss (path-two-points-healthy.pcapng).
//
// Parameters (date 2023-05-10 UTC, both ports on one VLAN, nanosecond pcapng):
//   phone  SEPE0D1730A8137 (model "592")  MAC e0:d1:73:0a:81:37  10.60.98.210:51234
//   CUCM   MAC 00:50:56:a9:01:0b  10.60.98.11:5060
//   TCP    ISN phone 2991996106 (first REGISTER at seq 2991996107), CUCM 1046391843
//   Clocks: the CUCM side's clock is 5.317000 s ahead; one-way transit 302 us. A phone->CUCM
//   segment sent at phone time t is on interface 0 at t and on interface 1 at t + 5.317302;
//   a CUCM->phone segment on interface 0 at t is on interface 1 at t - 302 us + 5.317 =
//   t + 5.316698 (so R1's REGISTER at 18:14:49.051041 arrives at 18:14:54.368343, as in SPEC).
//   SIP    AOR sip:4100@10.60.98.11, one Call-ID, CSeq 101..105, REGISTER Expires 3600 with a
//          Cisco Contact; 200 OK grants ;expires=120 in the Contact.
// Timeline (interface 0 times):
//   SYN at R1 - 2 ms, SYN/ACK at R1 - 1 ms, ACK at R1 - 0.9 ms; R1 = 18:14:49.051041
//   REGISTER k (k = 1..5) first sent at R(k); 200 OK (acknowledging it) 16 ms after the
//   transmission that got through; phone ACK 200 us after the 200 OK; R(k+1) = 200 OK(k) + 115 s.
//   path-two-points only: REGISTER 3's first transmission (R3 = R1 + 230.032 s) is lost between
//   the points (interface 0 only); TCP retransmits it 420 ms later and that copy gets through.
// Derived (path-two-points): the lost transmission is reported on interface 1's first frame past
//   R3 + 5.317302 + 2 s (2 s = the analysis' tolerance), which is REGISTER 4's copy at
//   R4 + 5.317302, R4 = R3 + 115.436 s; clock offset 5.317000 s (interface 1 - interface 0), peer
//   interface 1. Every interface-1 copy
//   is "[TCP Retransmission]" to Wireshark and none counts; the phone-side retransmission does.
//   Frames: 3 + 3 x 5 + 1 (retransmission) = 19 per interface, minus the lost one on interface 1:
//   37 (the healthy twin: 36).
// path-two-points-synced(-healthy): the same with the two clocks in agreement (skew 0), as NTP
//   keeps them. A CUCM->phone segment is then on interface 1 302 us before interface 0, so each
//   200 OK is seen first at the CUCM side and each REGISTER at the phone side; one connection,
//   one binding. Derived: t(2xx k) = 200 OK(k) - 302 us, expected = t(2xx) + 115 s, so each
//   next REGISTER is 302 us late (interval 115.000302 s), and each margin is
//   deadline - t(2xx k+1) = 130 - 115.016 = 14.984 s; REGISTER 3's only after its retransmission
//   (+420 ms): 14.564 s. The loss is reported as in path-two-points.
// path-two-points-behind: path-two-points with the CUCM side's clock 5.317 s behind: every segment
//   is seen first at the CUCM side, which is where the connection is timed (its SYN came first):
//   t(2xx k) = 200 OK(k) - 5.317302 s and each REGISTER at R(k) + 302 us - 5.317 s, so each is
//   604 us late and each margin 130 - 115.016 = 14.984 s; REGISTER 3 arrives only with its
//   retransmission, 420.604 ms late, margin 14.564 s. The lost first transmission, seen at the
//   phone side after the CUCM side's sighting of the retransmission, pairs with it until the phone
//   side's retransmission, a better fit, takes it over: both are copies of that one sighting, and
//   no retransmission is counted on the CUCM side's clock. The loss is reported as in
//   path-two-points (clock offset -5.317 s).
// path-two-points-notify: path-two-points-healthy (CUCM clock +5.317 s), and 1 s after the first
//   200 OK the call manager sends a NOTIFY over the phone's connection (the phone answers 200 OK
//   5 ms later), and the 200 OK of REGISTER 3 is lost between the points: seen at the CUCM side
//   only, TCP resends it 300 ms later. Derived: nothing lost that counts (a response is no
//   keepalive), no warning. Each 200 OK is seen first at the phone side (the CUCM side's copies
//   come 5.3 s later), the lost one when TCP resends it: REGISTER 3's margin is
//   130 - 115.016 - 0.300 = 14.684 s, every other 14.984 s, every lateness 0 (REGISTER 4 starts
//   115 s after the resent 200 OK).
// path-two-points-started-apart: path-two-points-healthy with the CUCM side's clock 5.317 s behind,
//   and its capture started later: it holds no frame stamped before R1 + 100 s on its clock, so the
//   connection's home is the phone side (its SYN was seen there only). REGISTER 2 (phone side
//   R2 = R1 + 115.016 s) is the CUCM side's first frame, at R2 + 302 us - 5.317 s, and its 200 OK
//   (phone side R2 + 16 ms) comes there at R2 + 16 ms - 302 us - 5.317 s, both before the phone
//   side's copy of REGISTER 2 at R2 tells the offset between the clocks: they are on the CUCM
//   side's. Derived: refresh 2 lateness R2 + 302 us - 5.317 s - R2 = -5.316698 s, margin
//   (R1 + 16 ms + 130 s) - (R2 + 15.698 ms - 5.317 s) = 20.301302 s. The phone side's copy gives
//   the first offset estimate, 5.317 s - 302 us (one direction), which moves the grant onto the
//   phone side's clock: R2 + 15.396 ms, expected 115 s later. From then on both directions give
//   5.317 s exactly: REGISTER 3 at R3 + 302 us, R3 = R2 + 115.016 s, so 906 us late, margin
//   130.015396 - 115.016 - 0.015698 = 14.983698 s; REGISTERs 4 and 5 604 us late, margins 14.984 s.
//   (Timed on the CUCM side's clock, REGISTER 3 was 5.317604 s late.) No warning.
// path-two-points-started-far-apart: path-two-points-started-apart with the CUCM side's clock 200 s
//   behind (two capture hosts without NTP), its capture still started 100 s after the phone side's
//   (it holds no frame stamped before R1 + 100 s - 200 s on its clock). Its frames now come 200 s
//   before the phone side's copies: REGISTER 2 and its 200 OK first of all, then the phone side's
//   handshake, REGISTER 1 and its 200 OK, then REGISTER 3 and its 200 OK at the CUCM side, before
//   the phone side's copy of REGISTER 2 tells the offset. The connection's home is the phone side
//   (its SYN). Derived: no warning or error. REGISTER 3 is timed against grant 1 across the two
//   clocks: lateness (R3 + 302 us - 200 s) - (R1 + 16 ms + 115 s) = -84.983698 s, its 200 OK's
//   margin (R1 + 16 ms + 130 s) - (R3 + 16 ms - 302 us - 200 s) = 99.968302 s. Grant 3, on the
//   CUCM side's clock, is moved onto the phone side's by the first estimate (REGISTER 2's
//   direction), as in path-two-points-started-apart: REGISTER 4 is 906 us late, margin 14.983698
//   s; REGISTER 5 604 us late, margin 14.984 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

// REGISTER 1's first transmission, phone side.
TimeNs first_register() { return utc("2023-05-10 18:14:49.051041"); }

// notify: the call manager also sends a NOTIFY over the phone's connection, and the 200 OK of
// REGISTER 3 is lost between the points (TCP resends it 300 ms later).
void build(Capture& cap, bool lose_one, TimeNs skew, bool notify = false, std::uint32_t registers = 5) {
  const Endpoint phone{"e0:d1:73:0a:81:37", "10.60.98.210", 51234};
  const Endpoint cucm{"00:50:56:a9:01:0b", "10.60.98.11", 5060};
  const TimeNs transit = 302_us;

  FlowOptions opt = FlowOptions::with_isns(2991996106u, 1046391843u);
  opt.points = merged_points(transit, skew);
  TcpFlow tcp(cap, phone, cucm, opt);
  const TimeNs r1 = first_register();
  tcp.handshake(r1 - 2_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "4100", cucm.ip.str(), "TCP");
  reg.from_tag = "e0d1730a81370012-4c1b2a7e";
  reg.call_id = "e0d1730a-81370002-3f6c1d2e-5a7b9c01@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7841/14.1.1";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("4100", phone, "tcp"), phone.mac, "592");
  reg.contacts = {contact};

  TimeNs t = r1;
  for (std::uint32_t k = 1; k <= registers; ++k) {
    reg.cseq = 100 + k;
    reg.branch = "z9hG4bK3f6c" + std::to_string(reg.cseq);
    const TimeNs through = tcp.send_delivered(t, Dir::ToServer, reg.bytes(), lose_one && k == 3 ? 420_ms : 0);
    const TimeNs ok_at = through + 16_ms;
    sip::Response ok = sip::ok(reg, "2207715911~c4a1b8e3-" + std::to_string(reg.cseq), {sip::with_expires(contact, 120)});
    ok.server = "Cisco-CUCM14.0";
    const TimeNs ok_through = tcp.send_delivered(ok_at, Dir::ToClient, ok.bytes(), notify && k == 3 ? 300_ms : 0);
    tcp.ack(ok_through + 200_us, Dir::ToServer);
    if (notify && k == 1) {
      // An unsolicited NOTIFY (RFC 3265 message waiting) from the call manager and its 200 OK.
      const std::string via = "SIP/2.0/TCP " + cucm.ip.str() + ":" + std::to_string(cucm.port) + ";branch=z9hG4bKn1";
      const std::string common = "Via: " + via + "\r\nFrom: <sip:4100@" + cucm.ip.str() + ">;tag=n1\r\n" +
                                 "To: <sip:4100@" + phone.ip.str() + ">\r\nCall-ID: n1@" + cucm.ip.str() +
                                 "\r\nCSeq: 101 NOTIFY\r\n";
      tcp.send(ok_at + 1_s, Dir::ToClient,
               to_bytes("NOTIFY sip:4100@" + phone.ip.str() + ":" + std::to_string(phone.port) + ";transport=tcp SIP/2.0\r\n" +
                        common + "Event: message-summary\r\nContent-Length: 0\r\n\r\n"));
      tcp.send(ok_at + 1_s + 5_ms, Dir::ToServer,
               to_bytes("SIP/2.0 200 OK\r\n" + common + "Content-Length: 0\r\n\r\n"));
    }
    t = ok_through + 115_s;
  }
}

// The phone side's and the call manager's captures merged into one pcapng; the call manager's
// without its frames stamped before `cucm_from` (0: all of them).
void save(ScenarioOutput& out, bool lose_one, TimeNs skew, bool notify = false, TimeNs cucm_from = 0) {
  Capture cap = Capture::merged();
  build(cap, lose_one, skew, notify);
  if (cucm_from == 0) return out.save_pcapng(cap);
  Capture later = Capture::merged();
  for (const Frame& f : cap.sorted_frames())
    if (f.iface == 0 || f.time >= cucm_from) later.add(f.time, f.data, f.iface, f.comment);
  out.save_pcapng(later);
}

// path-two-points-healthy over `registers` refreshes, the call manager side's clock set back by
// `by` at `at` (on its clock), merged as mergecap merges.
void save_stepped(ScenarioOutput& out, std::uint32_t registers, TimeNs at, TimeNs by) {
  Capture cap = Capture::merged();
  build(cap, false, 5317_ms, false, registers);
  out.save_pcapng_as_given(cap, merged_with_clock_step(cap, 1, at, by));
}

}  // namespace

KA_SCENARIO("path-two-points",
            "SPEC 2.3: SIP/TCP at the phone and at CUCM (clock +5.317 s), one refresh lost between the points") {
  save(out, true, 5317_ms);
}

KA_SCENARIO("path-two-points-healthy", "path-two-points without the loss: every segment at both capture points") {
  save(out, false, 5317_ms);
}

KA_SCENARIO("path-two-points-synced", "path-two-points with the two clocks in agreement") {
  save(out, true, 0);
}

KA_SCENARIO("path-two-points-behind", "path-two-points with the CUCM side's clock 5.317 s behind instead of ahead") {
  save(out, true, -5317_ms);
}

KA_SCENARIO("path-two-points-started-apart",
            "path-two-points-healthy with the CUCM side's clock behind and its capture started 100 s later") {
  save(out, false, -5317_ms, false, first_register() + 100_s);
}

KA_SCENARIO("path-two-points-started-far-apart",
            "path-two-points-started-apart with the CUCM side's clock 200 s behind") {
  save(out, false, -200_s, false, first_register() + 100_s - 200_s);
}

KA_SCENARIO("path-two-points-notify",
            "path-two-points-healthy with a NOTIFY from the call manager and a 200 OK lost between the points") {
  save(out, false, 5317_ms, true);
}

KA_SCENARIO("path-two-points-synced-healthy", "path-two-points-healthy with the two clocks in agreement") {
  save(out, false, 0);
}

KA_SCENARIO("path-two-points-clock-step",
            "path-two-points-healthy over 10 refreshes, the CUCM side's clock set back 60 s after the third") {
  save_stepped(out, 10, first_register() + 5317_ms + 290_s, 60_s);
}
