// Captured on a SIP proxy: a phone's REGISTERs over UDP and the proxy's copies to the registrar
// (same Call-ID and CSeq), the registrar's 200 OKs and the proxy's copies back to the phone. Two
// hops, two bindings; nothing is lost and nothing is late, so it must raise nothing.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-05 09:00:00.000000 UTC):
//   phone  MAC 00:04:f2:aa:10:21  10.50.0.21:5060
//   proxy  MAC 00:50:56:8e:50:02  10.50.0.2:5060
//   registrar  MAC 00:50:56:8e:51:10  10.50.1.10:5060
//   SIP    AOR sip:5021@example.net, one Call-ID, CSeq 1..6, "Expires: 3600",
//          Contact <sip:5021@10.50.0.21:5060>; both 200 OKs: that Contact with ";expires=120".
//   Refresh k (k = 0..5), R_0 = T0, R_(k+1) = R_k + 115.011 s:
//     frame 4k+1 phone REGISTER at R_k, 4k+2 proxy's copy at R_k + 1 ms,
//     4k+3 registrar's 200 OK to the proxy at R_k + 10 ms, 4k+4 proxy's 200 OK to the phone at
//     R_k + 11 ms.  24 frames.
//
// Derived (k >= 1): the phone's binding at 10.50.0.2:5060/udp: interval = lateness + 115 s =
// R_k - (R_(k-1) + 11 ms) = 115 s, lateness 0, margin on frame 4k+4 =
// (R_(k-1) + 11 ms + 130 s) - (R_k + 11 ms) = 14.989 s. The proxy's binding at
// 10.50.1.10:5060/udp: interval = (R_k + 1 ms) - (R_(k-1) + 10 ms) = 115.002 s, lateness 2 ms,
// margin on frame 4k+3 = (R_(k-1) + 10 ms + 130 s) - (R_k + 10 ms) = 14.989 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("sip-udp-proxy-hops", "captured on a proxy: each REGISTER and 200 OK on both hops, two bindings, no retransmission") {
  const Endpoint phone{"00:04:f2:aa:10:21", "10.50.0.21", 5060};
  const Endpoint proxy{"00:50:56:8e:50:02", "10.50.0.2", 5060};
  const Endpoint registrar{"00:50:56:8e:51:10", "10.50.1.10", 5060};
  const TimeNs t0 = utc("2023-06-05 09:00:00.000000");

  Capture cap;
  UdpFlow in(cap, phone, proxy);
  UdpFlow out_hop(cap, proxy, registrar);

  sip::Register reg = sip::phone_register(phone, "5021", "example.net");
  reg.from_tag = "a1b2c3";
  reg.call_id = "7c1e55aa-hops@" + phone.ip.str();
  reg.user_agent = "PolycomVVX-VVX_450/6.4.3";
  reg.expires = 3600;
  const sip::Contact contact{sip::contact_uri("5021", phone), {}, {}};
  reg.contacts = {contact};

  for (std::uint32_t k = 0; k < 6; ++k) {
    const TimeNs t = t0 + k * (115_s + 11_ms);
    reg.cseq = k + 1;
    reg.branch = "z9hG4bKph" + std::to_string(k);
    // The proxy adds its own Via on top and sends the request on unchanged otherwise.
    sip::Register fwd = reg;
    fwd.via_host = proxy.ip.str();
    fwd.via_port = proxy.port;
    fwd.branch = "z9hG4bKpx" + std::to_string(k);
    fwd.max_forwards = reg.max_forwards - 1;
    fwd.extra_headers = {{"Via", reg.via()}};
    in.send(t, Dir::ToServer, reg.bytes());
    out_hop.send(t + 1_ms, Dir::ToServer, fwd.bytes());
    const std::string tag = "rg" + std::to_string(k);
    out_hop.send(t + 10_ms, Dir::ToClient, sip::ok(fwd, tag, {sip::with_expires(contact, 120)}).bytes());
    in.send(t + 11_ms, Dir::ToClient, sip::ok(reg, tag, {sip::with_expires(contact, 120)}).bytes());
  }
  out.save_pcap(cap);
}
