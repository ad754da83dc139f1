// Benchmark fleet (heavy: written only by `ka-gen OUTDIR fleet`): 20,000 SIP phones and 5,000
// SCCP phones against one call manager for one hour, with loss and retransmissions sprinkled in.
// What matters for the benchmark is volume and realism of the mix; the parameters below still
// let a test derive counts.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-12 08:00:00 UTC, end T0 + 3600 s,
// one Rng(20230512) drawn in the order described):
//   CUCM   MAC 00:50:56:01:00:0a, 10.1.0.10: SIP 5060 (UDP and TCP), SCCP 2000.
//   SIP phone i (i = 0..19999): MAC 00:1e:13:00:00:00 + i, IP 10.64.0.0 + 1 + i, port 5060,
//     device SEP<mac>, AOR sip:(100000 + i)@10.1.0.10, Cisco Contact (instance from the MAC,
//     model 437), REGISTER "Expires: 3600", 200 OK grants ";expires=120" in the Contact.
//     Transport TCP (client port 50000 + i % 10000, handshake before the first REGISTER) when
//     i % 5 == 0, else UDP.  First REGISTER at T0 + u(0, 115 s); 200 OK d = u(5 ms, 30 ms)
//     after delivery; next REGISTER 115 s after the 200 OK (refresh delta 5 s: on time).
//     Each REGISTER's first transmission is lost with probability 1/200: UDP resends it
//     500 ms later (same branch, Wireshark's sip.resend), TCP retransmits it 420 ms later.
//   SCCP phone j (j = 0..4999): MAC 00:1e:4a:00:00:00 + j, IP 10.80.0.0 + 1 + j, port
//     49152 + j % 16000, device SEP<mac>. Handshake at T0 + u(0, 60 s), RegisterReq 1 ms later,
//     RegisterAck (keepAliveInterval 60, secondary 120: CUCM's station keepalive interval
//     service parameter raised to 60 s) 2 ms after it; KeepAliveReq every 60 s after the
//     RegisterReq, KeepAliveAck a = u(1 ms, 10 ms) after delivery, no pure ACKs. Each
//     KeepAliveReq is lost with probability 1/300 and retransmitted 300 ms later.
// ~1.9 million frames.
//
// fleet-calls: the same phones and signalling for the first 60 s (the same draws, cut at
// T0 + 60 s), plus 100 calls' voice throughout: SIP phones 2c + 1 and 2c + 2 (c = 0..99) send
// each other G.711 RTP (payload type 0, 160 bytes, SSRC 0x1000 + 2c and 0x1001 + 2c) every 20 ms
// between UDP ports 16384 + 2c, the second phone 7 us after the first, call c 97c us into each
// 20 ms: the mix a SPAN of a voice VLAN sees, 600,000 RTP frames to 57,937 of signalling.
//
// fleet-data: the same first 60 s of signalling, plus 100 bulk TCP downloads throughout: PC k
// (k = 0..99, MAC 00:1f:29:00:00:00 + k, 10.96.0.1 + k, port 40000 + k) from a file server
// (MAC 00:50:56:02:00:14, 10.2.0.20, port 33000, which no Wireshark dissector claims),
// handshake at T0 + k * 600 us, then every 60 ms two 1,400-byte segments 12 us apart and the PC's
// ACK 200 us after the first; the bytes are one block of Rng(20231205) draws, as compressed or
// encrypted data looks: the mix a trunk also carrying data sees, 300,291 such frames.
#include <cstdint>
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

constexpr int kSipPhones = 20000;
constexpr int kSccpPhones = 5000;
constexpr int kCalls = 100;
constexpr int kDownloads = 100;

Mac mac_plus(std::uint64_t base, std::uint64_t i) {
  std::array<std::uint8_t, 6> o{};
  const std::uint64_t v = base + i;
  for (int k = 0; k < 6; ++k) o[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (40 - 8 * k));
  return Mac(o);
}

IpAddr ip_plus(std::uint32_t base, std::uint32_t i) {
  const std::uint32_t v = base + i;
  return IpAddr(std::to_string(v >> 24) + "." + std::to_string(v >> 16 & 255) + "." + std::to_string(v >> 8 & 255) +
                "." + std::to_string(v & 255));
}

const TimeNs kT0 = utc("2023-05-12 08:00:00.000000");

// Every phone's signalling from T0 until `end`.
void signalling(Capture& cap, TimeNs end) {
  const Mac cucm_mac("00:50:56:01:00:0a");
  const IpAddr cucm_ip("10.1.0.10");
  Rng rng(20230512);

  for (int i = 0; i < kSipPhones; ++i) {
    const auto n = static_cast<std::uint32_t>(i);
    const Mac mac = mac_plus(0x001e13000000ull, n);
    const IpAddr ip = ip_plus(0x0a400001u, n);
    const bool tcp = i % 5 == 0;
    const Endpoint phone{mac, ip, static_cast<std::uint16_t>(tcp ? 50000 + i % 10000 : 5060)};
    const Endpoint cucm{cucm_mac, cucm_ip, 5060};
    const std::string user = std::to_string(100000 + i);

    sip::Register reg = sip::phone_register(phone, user, cucm_ip.str(), tcp ? "TCP" : "UDP");
    reg.from_tag = mac.hex() + "-f";
    reg.call_id = mac.hex() + "-fleet@" + ip.str();
    reg.user_agent = "Cisco-CP8865/14.1.1";
    reg.expires = 3600;
    const sip::Contact contact = sip::cisco_phone_contact("sip:" + user + "@" + ip.str() + ":5060", mac, "437");
    reg.contacts = {contact};

    TimeNs t = kT0 + rng.duration(0, 115_s);
    TcpFlow* flow = nullptr;
    std::optional<TcpFlow> tcp_flow;
    std::optional<UdpFlow> udp_flow;
    if (tcp) {
      FlowOptions opt;
      opt.client_isn = static_cast<std::uint32_t>(rng.next());
      opt.server_isn = static_cast<std::uint32_t>(rng.next());
      tcp_flow.emplace(cap, phone, cucm, opt);
      flow = &*tcp_flow;
      flow->handshake(t, 1_ms);
      t += 2_ms;
    } else {
      udp_flow.emplace(cap, phone, cucm);
    }
    for (std::uint32_t cseq = 1; t < end; ++cseq) {
      reg.cseq = cseq;
      reg.branch = "z9hG4bK" + mac.hex() + std::to_string(cseq);
      const Bytes bytes = reg.bytes();
      TimeNs delivered = t;
      const bool lost = rng.chance(1, 200);
      if (tcp) {
        delivered = flow->send_delivered(t, Dir::ToServer, bytes, lost ? 420_ms : 0);
      } else {
        udp_flow->send(t, Dir::ToServer, bytes, lost ? Delivery::Lost : Delivery::Delivered);
        if (lost) udp_flow->send(delivered = t + 500_ms, Dir::ToServer, bytes);
      }
      const TimeNs ok_at = delivered + rng.duration(5_ms, 30_ms);
      const Bytes ok = sip::ok(reg, mac.hex().substr(6) + std::to_string(cseq), {sip::with_expires(contact, 120)}).bytes();
      if (tcp) flow->send(ok_at, Dir::ToClient, ok);
      else udp_flow->send(ok_at, Dir::ToClient, ok);
      t = ok_at + 115_s;
    }
  }

  for (int j = 0; j < kSccpPhones; ++j) {
    const auto n = static_cast<std::uint32_t>(j);
    const Mac mac = mac_plus(0x001e4a000000ull, n);
    const IpAddr ip = ip_plus(0x0a500001u, n);
    const Endpoint phone{mac, ip, static_cast<std::uint16_t>(49152 + j % 16000)};
    const Endpoint cucm{cucm_mac, cucm_ip, 2000};
    FlowOptions opt;
    opt.client_isn = static_cast<std::uint32_t>(rng.next());
    opt.server_isn = static_cast<std::uint32_t>(rng.next());
    TcpFlow flow(cap, phone, cucm, opt);
    const TimeNs start = kT0 + rng.duration(0, 60_s);
    flow.handshake(start, start + 400_us, start + 450_us);
    skinny::RegisterReq reg = skinny::phone_register_req(mac, ip);
    reg.max_lines = 2;
    reg.firmware_load_name = "SCCP42.9-4-2SR3-1S";
    const TimeNs t_reg = start + 1_ms;
    flow.send(t_reg, Dir::ToServer, skinny::register_req(reg));
    skinny::RegisterAck ack;
    ack.keepalive_interval = 60;
    ack.secondary_keepalive_interval = 120;
    flow.send(t_reg + 2_ms, Dir::ToClient, skinny::register_ack(ack));
    for (TimeNs t = t_reg + 60_s; t < end; t += 60_s) {
      const bool lost = rng.chance(1, 300);
      const TimeNs delivered = flow.send_delivered(t, Dir::ToServer, skinny::keepalive_req(), lost ? 300_ms : 0);
      flow.send(delivered + rng.duration(1_ms, 10_ms), Dir::ToClient, skinny::keepalive_ack());
    }
  }
}

// G.711 RTP both ways between pairs of SIP phones from T0 until `end`.
void calls(Capture& cap, TimeNs end) {
  for (int c = 0; c < kCalls; ++c) {
    const auto a = static_cast<std::uint32_t>(2 * c + 1), b = a + 1;
    const auto port = static_cast<std::uint16_t>(16384 + 2 * c);
    UdpFlow flow(cap, {mac_plus(0x001e13000000ull, a), ip_plus(0x0a400001u, a), port},
                 {mac_plus(0x001e13000000ull, b), ip_plus(0x0a400001u, b), port});
    const TimeNs start = kT0 + static_cast<TimeNs>(c) * 97_us;
    std::uint16_t seq = 0;
    for (TimeNs t = start; t < end; t += 20_ms, ++seq) {
      for (int d = 0; d < 2; ++d) {
        Bytes rtp{0x80, 0x00, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
        const std::uint32_t ts = static_cast<std::uint32_t>(seq) * 160u, ssrc = 0x1000u + static_cast<std::uint32_t>(2 * c + d);
        for (std::uint32_t v : {ts, ssrc})
          for (int k = 24; k >= 0; k -= 8) rtp.push_back(static_cast<std::uint8_t>(v >> k));
        rtp.resize(rtp.size() + 160, 0xff);  // PCMU silence
        flow.send(t + (d ? 7_us : 0), d ? Dir::ToClient : Dir::ToServer, rtp);
      }
    }
  }
}

// Bulk TCP downloads from a file server to 100 PCs from T0 until `end`.
void downloads(Capture& cap, TimeNs end) {
  Rng rng(20231205);
  Bytes block(1400);
  for (std::uint8_t& b : block) b = static_cast<std::uint8_t>(rng.next());
  const Endpoint server{Mac("00:50:56:02:00:14"), IpAddr("10.2.0.20"), 33000};
  for (int k = 0; k < kDownloads; ++k) {
    const auto n = static_cast<std::uint32_t>(k);
    TcpFlow flow(cap, {mac_plus(0x001f29000000ull, n), ip_plus(0x0a600001u, n), static_cast<std::uint16_t>(40000 + k)},
                 server);
    const TimeNs start = kT0 + static_cast<TimeNs>(k) * 600_us;
    flow.handshake(start, 1_ms);
    for (TimeNs t = start + 2_ms; t < end; t += 60_ms) {
      flow.send(t, Dir::ToClient, block);
      flow.send(t + 12_us, Dir::ToClient, block);
      flow.ack(t + 200_us, Dir::ToServer);
    }
  }
}

}  // namespace

KA_SCENARIO_HEAVY("fleet", "Benchmark: 20,000 SIP and 5,000 SCCP phones for one hour, sprinkled loss (~1.9M frames)") {
  Capture cap;
  signalling(cap, kT0 + 3600_s);
  out.save_pcap(cap);
}

KA_SCENARIO_HEAVY("fleet-calls", "Benchmark: the fleet's first minute with 100 calls' RTP (~650k frames, 92% voice)") {
  Capture cap;
  signalling(cap, kT0 + 60_s);
  calls(cap, kT0 + 60_s);
  out.save_pcap(cap);
}

KA_SCENARIO_HEAVY("fleet-data", "Benchmark: the fleet's first minute with 100 bulk TCP downloads (~360k frames, 84% data)") {
  Capture cap;
  signalling(cap, kT0 + 60_s);
  downloads(cap, kT0 + 60_s);
  out.save_pcap(cap);
}
