// A SIP phone over TCP whose registrar challenges every REGISTER (401, then the authenticated
// retry is accepted), as in case study B (SPEC 2.5) but with the challenge: in the back-off
// variant the first REGISTER of each refresh loses its first transmission and TCP repeats it
// after a doubling delay.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, T0 = 2023-05-20 10:00:00.000000 UTC):
//   phone      MAC 00:aa:bb:77:88:99  10.95.0.20:50600, TCP ISN 5000000
//   registrar  MAC 00:50:56:8e:95:10  10.95.1.10:5060, TCP ISN 900
//   SIP        AOR sip:9520@10.95.1.10, Contact <sip:9520@10.95.0.20:50600;transport=tcp>
//              ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00aabb778899>", one Call-ID
//              "cb-9520@10.95.0.20", REGISTER "Expires: 3600"; 200 OK: the Contact plus ";expires=120".
//   Frames 1-3: handshake at T0 - 3 ms, T0 - 2 ms, T0 - 1.9 ms.
//   Attempt k (k = 0..4) from S_k, with gap G_k: REGISTER CSeq 2k+1 (no credentials) at S_k;
//   if G_k > 0 it is lost and retransmitted at S_k + G_k; 401 at S_k + G_k + 10 ms;
//   REGISTER CSeq 2k+2 (Authorization) at S_k + G_k + 12 ms; 200 OK at OK_k = S_k + G_k + 20 ms;
//   the phone's ACK at OK_k + 0.2 ms. The registrar's ACKs ride on its responses.
//   S_0 = T0, S_(k+1) = OK_k + 115 s.
//
// sip-tcp-challenged-healthy: G_k = 0. Frames 4 + 5k .. 8 + 5k: REGISTER, 401, REGISTER, 200 OK,
//   ACK. Refreshes 2-5: interval 115 s, lateness 0; margin on each 200 OK 15 s - 20 ms
//   = 14.98 s. No expert info at all.
// sip-tcp-challenged-backoff: G = 0, 1, 2, 4, 8 s. Attempt 0 in frames 4-8, attempt k >= 1 in
//   frames 3 + 6k .. 8 + 6k: REGISTER, retransmission, 401, REGISTER, 200 OK, ACK.
//   Retransmissions (frames 10, 16, 22, 28): gap G_k; loss pattern from the third one (frames
//   22, 28; 3 and 4 consecutive). Margins: 15 s - G_k - 20 ms. The gap grew 2x on attempts 2, 3
//   and 4: on the 200 OK of attempt 4 (frame 31) the breach forecast projects a 16 s gap, more
//   than the 15 s grace, for the next refresh: 1 refresh ahead, at OK_4 + 130 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void challenged(ScenarioOutput& out, bool backoff) {
  const Endpoint phone{"00:aa:bb:77:88:99", "10.95.0.20", 50600};
  const Endpoint registrar{"00:50:56:8e:95:10", "10.95.1.10", 5060};
  const TimeNs t0 = utc("2023-05-20 10:00:00.000000");

  Capture cap;
  TcpFlow tcp(cap, phone, registrar, FlowOptions::with_isns(5000000u, 900u));
  tcp.handshake(t0 - 3_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "9520", registrar.ip.str(), "TCP");
  reg.from_tag = "cb9520";
  reg.call_id = "cb-9520@" + phone.ip.str();
  reg.expires = 3600;
  sip::Contact c;
  c.uri = sip::contact_uri("9520", phone, "tcp");
  c.params = {sip::instance_param(sip::cisco_instance_uuid(phone.mac))};
  reg.contacts = {c};

  const TimeNs gaps[] = {0, 1_s, 2_s, 4_s, 8_s};
  TimeNs s = t0;
  for (std::uint32_t k = 0; k < 5; ++k) {
    const TimeNs g = backoff ? gaps[k] : 0;
    const std::string n = std::to_string(k);
    reg.cseq = 2 * k + 1;
    reg.branch = "z9hG4bKcb" + std::to_string(reg.cseq);
    reg.authorization.reset();
    tcp.send_delivered(s, Dir::ToServer, reg.bytes(), g);
    tcp.send(s + g + 10_ms, Dir::ToClient, sip::unauthorized(reg, "cbt" + n, "ccm", "nonce" + n).bytes());
    reg.cseq = 2 * k + 2;
    reg.branch = "z9hG4bKcb" + std::to_string(reg.cseq);
    reg.authorization = sip::digest_credentials("9520", "ccm", "nonce" + n, reg.request_uri,
                                                "0123456789abcdef0123456789abcdef");
    tcp.send(s + g + 12_ms, Dir::ToServer, reg.bytes());
    const TimeNs ok = s + g + 20_ms;
    tcp.send(ok, Dir::ToClient, sip::ok(reg, "cbt" + n, {sip::with_expires(c, 120)}).bytes());
    tcp.ack(ok + 200_us, Dir::ToServer);
    s = ok + 115_s;
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("sip-tcp-challenged-healthy", "SIP/TCP refreshes each challenged (401) and retried at once: silent") {
  challenged(out, false);
}

KA_SCENARIO("sip-tcp-challenged-backoff",
            "SIP/TCP refreshes each challenged, their first REGISTER retransmitted after a doubling delay: forecast") {
  challenged(out, true);
}
