// A SIP phone over UDP behind a slow proxy: the proxy holds each REGISTER while the registrar
// behind it takes 7.2 s to answer (its first database server is down), and absorbs the phone's
// Timer E resends. In sip-udp-slow-proxy it follows RFC 4320, answering with 100 Trying the first
// resend that finds the request held for 3.5 s or more: every first transmission arrives, and the
// 100 answers the fourth, 3.5 s after the first, which only the first's arrival allows. The
// resends are the proxy's slowness, not loss: no loss pattern. In sip-udp-slow-proxy-lossy the
// phone's switch port drops every first transmission (its MAC aged out), the proxy holds the
// request from the second, and answers the fifth with 100, 7.5 s after the first: a loss pattern.
// In sip-udp-slow-proxy-trying the proxy answers 100 at once, as before RFC 4320; the phone, in
// Proceeding, resends when Timer E fires all the same, at T1 and then every T2 (RFC 3261
// 17.1.2.2): resends after the 100, no loss.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-07-03 10:00:00.000000 UTC):
//   phone  MAC 00:04:f2:aa:20:41  10.70.20.41:5060 (a Poly VVX 450)
//   proxy  MAC 00:50:56:8e:70:05  10.70.1.5:5060
//   SIP    AOR sip:2041@10.70.1.5, one Call-ID, REGISTER "Expires: 3600", Contact
//          <sip:2041@10.70.20.41:5060>; 200 OK: the Contact plus ";expires=120".
//   Timer E: transmissions at F + 0, 0.5, 1.5, 3.5, 7.5 s (T1 = 0.5 s, T2 = 4 s); after a 100
//   (Proceeding) the next firing is reset to T2: F + 0.5, 4.5 s when the 100 comes before T1.
//   Attempt k = 1..5, first transmission F(k), F(1) = T0, CSeq k:
//     slow:   4 transmissions; 100 Trying at F + 3.501 s; 200 OK at OK(k) = F + 7.2 s.
//             Frames 6(k-1) + 1 .. + 4, 100 at + 5, 200 OK at + 6; 30 frames.
//     lossy:  the first transmission lost; 5 transmissions; 100 Trying at F + 7.501 s; 200 OK
//             at OK(k) = F + 0.5 + 7.2 s. Frames 7(k-1) + 1 .. + 5, 100 at + 6, 200 OK at + 7; 35.
//     trying: 100 Trying at F + 1 ms; transmissions at F + 0, 0.5, 4.5 s; 200 OK at OK(k) =
//             F + 7.2 s. Frames 5(k-1) + 1, 100 at + 2, resends at + 3, + 4, 200 OK at + 5; 25.
//     F(k+1) = OK(k) + 115 s.
// Derived (grant 120 s, delta 5 s, grace 15 s, loss_pattern_min 3):
//   all: refreshes 2..5 on time (lateness 0); deadline = OK(k-1) + 130 s = F(k) + 15 s.
//   slow:   retransmission notes on frames 6(k-1) + 2 .. + 4 (15), no loss pattern, no warning;
//           each refresh's margin on its 100: 15 - 3.501 = 11.499 s.
//   lossy:  retransmission notes on frames 7(k-1) + 2 .. + 5 (20); loss_pattern on frames 16, 23,
//           30 (the first resend of attempts 3, 4, 5: 3, 4, 5 consecutive), each after
//           115.2 s idle (since the previous attempt's fifth transmission, 0.2 s before its
//           200 OK); each refresh's margin on its 100: 15 - 7.501 = 7.499 s.
//   trying: retransmission notes on frames 5(k-1) + 3, + 4 (10; gaps 0.5 and 4 s), no loss
//           pattern, no warning; each refresh's margin on its 100: 15 - 0.001 = 14.999 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

enum class Proxy { Rfc4320, Rfc4320Lossy, TryingAtOnce };

void slow_proxy(ScenarioOutput& out, Proxy kind) {
  const Endpoint phone{"00:04:f2:aa:20:41", "10.70.20.41", 5060};
  const Endpoint proxy{"00:50:56:8e:70:05", "10.70.1.5", 5060};
  const TimeNs t0 = utc("2023-07-03 10:00:00.000000");
  const TimeNs offsets[] = {0_ms, 500_ms, 1500_ms, 3500_ms, 7500_ms};
  const bool lossy = kind == Proxy::Rfc4320Lossy;

  Capture cap;
  UdpFlow udp(cap, phone, proxy);
  sip::Register reg = sip::phone_register(phone, "2041", proxy.ip.str());
  reg.via_params = {"rport"};
  reg.from_tag = "aa2041-2041";
  reg.call_id = "aa2041-reg@" + phone.ip.str();
  reg.user_agent = "PolycomVVX-VVX_450-UA/6.4.3.5018";
  reg.expires = 3600;
  const sip::Contact contact{sip::contact_uri("2041", phone), {}, {}};
  reg.contacts = {contact};

  TimeNs first = t0;
  for (std::uint32_t k = 1; k <= 5; ++k) {
    reg.cseq = k;
    reg.branch = "z9hG4bKaa20" + std::to_string(40 + k);
    if (kind == Proxy::TryingAtOnce) {
      udp.send(first, Dir::ToServer, reg.bytes());
      udp.send(first + 1_ms, Dir::ToClient, sip::trying(reg).bytes());
      udp.send(first + offsets[1], Dir::ToServer, reg.bytes());
      udp.send(first + offsets[1] + 4_s, Dir::ToServer, reg.bytes());
    } else {
      const int sent = lossy ? 5 : 4;
      for (int i = 0; i < sent; ++i)
        udp.send(first + offsets[i], Dir::ToServer, reg.bytes(), lossy && i == 0 ? Delivery::Lost : Delivery::Delivered);
      udp.send(first + offsets[sent - 1] + 1_ms, Dir::ToClient, sip::trying(reg).bytes());
    }
    const TimeNs ok_at = first + (lossy ? offsets[1] : 0_ms) + 7200_ms;
    udp.send(ok_at, Dir::ToClient, sip::ok(reg, "70" + std::to_string(k), {sip::with_expires(contact, 120)}).bytes());
    first = ok_at + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-udp-slow-proxy", "SIP/UDP refreshes resent while an RFC 4320 proxy holds them 7.2 s: its 100 shows the first transmissions arrived") {
  slow_proxy(out, Proxy::Rfc4320);
}

KA_SCENARIO("sip-udp-slow-proxy-lossy", "sip-udp-slow-proxy with every first transmission lost: the 100 comes a resend later, a loss pattern") {
  slow_proxy(out, Proxy::Rfc4320Lossy);
}

KA_SCENARIO("sip-udp-slow-proxy-trying", "sip-udp-slow-proxy with a 100 at once: resends in Proceeding, nothing lost") {
  slow_proxy(out, Proxy::TryingAtOnce);
}
