// Healthy twin of a site powering up: twenty SCCP phones boot together (a PoE switch restarted),
// register and fetch their configuration within three seconds, then keep their primary call
// manager alive every 30 s, their keepalives in step. Hundreds of frames from many hosts and then
// half a minute of silence is no capture gap: nothing may be left unjudged or raise a warning.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-06-02 07:00:00.000000 UTC):
//   call manager MAC 00:50:56:a4:00:05, 10.40.0.5:2000
//   phone i (i = 0..19): SEP00235E1A2B01 .. SEP00235E1A2B14, MAC 00:23:5e:1a:2b:(i+1),
//     10.40.0.(21+i), port 51001+i; boots at B_i = T0 + 50 ms * i:
//     SYN at B_i, SYN/ACK 400 us later, ACK 100 us after that; RegisterReq at B_i + 1 ms,
//     RegisterAck (keepAliveInterval 30) at B_i + 3 ms, the phone's ACK 200 us later;
//     configuration: for k = 0..29 at B_i + 10 ms + 60 ms * k a request (ButtonTemplateReq,
//     SoftKeyTemplateReq, SoftKeySetReq, ConfigStatReq, TimeDateReq in turn), its answer 1 ms
//     later (zero-filled bodies of 96, 652, 780, 112 and 36 bytes), the phone's ACK 1 ms after that;
//     keepalives: for n = 1..10 KeepAliveReq at B_i + 1 ms + 30 s * n, KeepAliveAck 1 ms later,
//     the phone's ACK 200 us after it. 20 * (3 + 3 + 90 + 30) = 2,520 frames.
// Derived: every phone primary, each keepalive after the first 30 s after the one before, each
// ack latency 1 ms; nothing raised.
//
// skinny-boot-storm-phone-dies: the same, but phone 7 (SEP00235E1A2B08) sends nothing after its
// configuration: no keepalive, no FIN. The call manager drops it after KeepAliveTimeout, 3 x 30 s
// after its RegisterAck (T0 + 353 ms): failover on the capture's first frame after
// T0 + 90.353 s, phone 8's KeepAliveReq n = 3 at T0 + 90.401 s. 2,490 frames.
#include <cstdio>
#include <deque>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

void boot_storm(ScenarioOutput& out, int dies) {
  const Endpoint cm{"00:50:56:a4:00:05", "10.40.0.5", 2000};
  const TimeNs t0 = utc("2023-06-02 07:00:00.000000");
  struct Exchange {
    std::uint32_t request, answer;
    std::size_t answer_bytes;
  };
  const Exchange config[] = {{0x000e, 0x0097, 96}, {0x0028, 0x0108, 652}, {0x0025, 0x0109, 780},
                             {0x000c, 0x0093, 112}, {0x000d, 0x0094, 36}};
  Capture cap;
  std::deque<TcpFlow> flows;
  for (int i = 0; i < 20; ++i) {
    char mac[18], ip[16];
    std::snprintf(mac, sizeof mac, "00:23:5e:1a:2b:%02x", i + 1);
    std::snprintf(ip, sizeof ip, "10.40.0.%d", 21 + i);
    const Endpoint phone{mac, ip, static_cast<std::uint16_t>(51001 + i)};
    TcpFlow& p = flows.emplace_back(cap, phone, cm);
    const TimeNs boot = t0 + i * 50_ms;
    p.handshake(boot, 400_us);
    skinny::registration(p, boot + 1_ms, skinny::phone_register_req(phone.mac, phone.ip));
    for (int k = 0; k < 30; ++k) {
      const Exchange& e = config[k % 5];
      const TimeNs t = boot + 10_ms + k * 60_ms;
      p.send(t, Dir::ToServer, skinny::message(e.request));
      p.send(t + 1_ms, Dir::ToClient, skinny::message(e.answer, Bytes(e.answer_bytes, 0)));
      p.ack(t + 2_ms, Dir::ToServer);
    }
    if (i == dies) continue;
    for (int n = 1; n <= 10; ++n) skinny::acked_keepalive(p, boot + 1_ms + seconds(30 * n), 1_ms);
  }
  out.save_pcap(cap);
}

}  // namespace

KA_SCENARIO("skinny-boot-storm", "20 SCCP phones boot together, then keepalives in step every 30 s: no capture gap, silent") {
  boot_storm(out, -1);
}

KA_SCENARIO("skinny-boot-storm-phone-dies", "skinny-boot-storm, phone 7 silent after booting: failover 90 s after its RegisterAck") {
  boot_storm(out, 7);
}
