// Robustness: the capture host's clock set back a minute mid-capture (NTP stepping it), and its
// healthy twin with the clock left alone. A SIP/UDP phone and an SCCP phone, both healthy.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-16 10:00:00.000000 UTC, true times):
//   SIP: phone MAC 00:24:14:33:00:11, 10.33.0.11:5060, SEP002414330011, AOR sip:4041@10.33.0.1;
//     registrar MAC 00:50:56:33:00:01, 10.33.0.1:5060; one Call-ID, Cisco Contact, REGISTER
//     Expires 3600, 200 OK Contact ;expires=120. REGISTER k (k = 0..7, CSeq k + 1) at
//     R_k = T0 + k * 115.010 s, its 200 OK 10 ms later: each refresh starts when expected
//     (R_k + 10 ms + 120 s - 5 s).
//   SCCP: phone SEP00235E330021, MAC 00:23:5e:33:00:21, 10.33.0.21:51000; call manager MAC
//     00:50:56:33:00:05, 10.33.0.5:2000. Handshake at T0 + 2 s (RTT 400 us), RegisterReq at
//     T0 + 2.001 s (RegisterAck, keepalive interval 30 s, 2 ms later; phone ACK 0.2 ms after), then
//     KeepAliveReq j (j = 1..27) at K_j = T0 + 2.001 s + 30 j s, its KeepAliveAck 1 ms later and
//     the phone's ACK 0.2 ms after that.
//   103 frames in true time order.
// bad-clock-step: every frame from T0 + 400 s on is stamped 60 s early. K_14 (true T0 + 422.001 s)
//   is the first stamped back, at T0 + 362.001 s, 30.0012 s before the latest frame, K_13's ACK
//   (T0 + 392.0022 s); its KeepAliveAck, the second, shows the step. Then only the SIP binding's
//   expectation (from R_3's 200 OK) is on the old clock; K_14 is on the new one.
// bad-clock-step-healthy: no step.
#include <vector>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void phones(ScenarioOutput& out, bool step) {
  const Endpoint registrar{"00:50:56:33:00:01", "10.33.0.1", 5060};
  const Endpoint sip_phone{"00:24:14:33:00:11", "10.33.0.11", 5060};
  const Mac sccp_mac = "00:23:5e:33:00:21";
  const Endpoint sccp_phone{sccp_mac, "10.33.0.21", 51000};
  const Endpoint cm{"00:50:56:33:00:05", "10.33.0.5", 2000};
  const TimeNs t0 = utc("2023-05-16 10:00:00.000000");

  Capture cap;
  UdpFlow udp(cap, sip_phone, registrar);
  sip::Register reg = sip::phone_register(sip_phone, "4041", registrar.ip.str());
  reg.from_tag = "cs1";
  reg.call_id = "bad-clock-step@" + sip_phone.ip.str();
  reg.expires = 3600;
  const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("4041", sip_phone), sip_phone.mac, "437");
  reg.contacts = {c};
  sip::udp_refreshes(udp, reg, c, t0, 8, "z9hG4bKcs", "okcs");

  TcpFlow tcp(cap, sccp_phone, cm);
  tcp.handshake(t0 + 2_s, 400_us);
  skinny::registration(tcp, t0 + 2001_ms, skinny::phone_register_req(sccp_mac, sccp_phone.ip));
  for (int j = 1; j <= 27; ++j) skinny::acked_keepalive(tcp, t0 + 2001_ms + seconds(30 * j));

  std::vector<kagen::Frame> frames = cap.sorted_frames();
  if (step)
    for (kagen::Frame& f : frames)
      if (f.time >= t0 + 400_s) f.time -= 60_s;
  out.save_pcap_as_given(frames);
}

}  // namespace

KA_SCENARIO("bad-clock-step", "Robustness: the capture's clock set back 60 s mid-capture, a healthy SIP and a healthy SCCP phone") {
  phones(out, true);
}

KA_SCENARIO("bad-clock-step-healthy", "bad-clock-step with the capture's clock left alone") {
  phones(out, false);
}
