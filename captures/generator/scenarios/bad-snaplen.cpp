// Robustness: a capture taken with a small snapshot length (tcpdump -s 200): every frame longer
// than 200 bytes is cut, so each SIP message loses most of its headers (Wireshark marks it
// malformed) while the short SCCP frames are whole. Nothing about SIP may be concluded from
// messages the analysis cannot read: each REGISTER says it was cut short and not analysed
// (keepalive.truncated), and nothing else is said about SIP.
//
// Parameters (Ethernet, microsecond pcap, snaplen 200, T0 = 2023-05-15 14:00:00 UTC):
//   registrar/call manager MAC 00:50:56:34:00:01, 10.34.0.1 (SIP 5060/UDP, SCCP 2000)
//   SIP/UDP phone MAC 00:24:14:34:00:11, 10.34.0.11:5060, SEP002414340011, AOR sip:4051@10.34.0.1:
//     REGISTER (Expires 3600, Cisco Contact) at T0 + k * 115.010 s (k = 0..5), CSeq k + 1,
//     200 OK (;expires=120) 10 ms later: all longer than 200 bytes, stored truncated.
//   SCCP phone MAC 00:1e:4a:34:00:13, 10.34.0.13:49313, SEP001E4A340013: handshake at T0 + 1 s,
//     RegisterReq (legacy 36-byte body) +1 ms, RegisterAck (30/60 s) +3 ms, KeepAliveReq every
//     30 s after the RegisterReq (k = 1..20), KeepAliveAck 2 ms later: all shorter than 200 bytes.
//   12 + 3 + 2 + 40 = 57 frames.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-snaplen", "Robustness: SIP truncated by a 200-byte snapshot length next to whole SCCP frames") {
  constexpr std::uint32_t kSnaplen = 200;
  const TimeNs t0 = utc("2023-05-15 14:00:00.000000");
  const Mac server_mac("00:50:56:34:00:01");
  const IpAddr server_ip("10.34.0.1");
  Capture cap;

  const Endpoint phone{"00:24:14:34:00:11", "10.34.0.11", 5060};
  UdpFlow udp(cap, phone, Endpoint{server_mac, server_ip, 5060});
  sip::Register reg = sip::phone_register(phone, "4051", server_ip.str());
  reg.from_tag = "snap1";
  reg.call_id = "bad-snaplen@" + phone.ip.str();
  reg.expires = 3600;
  const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("4051", phone), phone.mac, "437");
  reg.contacts = {c};
  for (int k = 0; k < 6; ++k) {
    const TimeNs t = t0 + k * 115010_ms;
    reg.cseq = static_cast<std::uint32_t>(k + 1);
    reg.branch = "z9hG4bKsnap" + std::to_string(k);
    udp.send(t, Dir::ToServer, reg.bytes());
    udp.send(t + 10_ms, Dir::ToClient, sip::ok(reg, "oksnap", {sip::with_expires(c, 120)}).bytes());
  }

  const Endpoint sccp_phone{"00:1e:4a:34:00:13", "10.34.0.13", 49313};
  TcpFlow sccp(cap, sccp_phone, Endpoint{server_mac, server_ip, 2000});
  skinny::RegisterReq rr = skinny::phone_register_req(sccp_phone.mac, sccp_phone.ip);
  rr.extended = false;
  skinny::session(sccp, rr, t0 + 1_s, 20);

  // PcapWriter refuses frames longer than its snaplen: write the header with it, then the
  // records by hand with captured length < original length, as tcpdump does.
  std::ostringstream file;
  PcapWriter header(file, LinkType::Ethernet, TsResolution::Micro, kSnaplen);
  header.finish();
  Bytes records;
  const auto frames = cap.sorted_frames();
  for (const kagen::Frame& f : frames) {
    const auto caplen = static_cast<std::uint32_t>(std::min<std::size_t>(f.data.size(), kSnaplen));
    put_le32(records, static_cast<std::uint32_t>(f.time / kNanosPerSecond));
    put_le32(records, static_cast<std::uint32_t>(f.time % kNanosPerSecond / 1000));
    put_le32(records, caplen);
    put_le32(records, static_cast<std::uint32_t>(f.data.size()));
    records.insert(records.end(), f.data.begin(), f.data.begin() + caplen);
  }
  const std::string name = out.name() + ".pcap";
  std::ofstream o(out.path(name), std::ios::binary);
  o << file.str();
  o.write(reinterpret_cast<const char*>(records.data()), static_cast<std::streamsize>(records.size()));
  if (!o) throw std::runtime_error("cannot write " + out.path(name));
  out.add_written(name, frames.size());
}
