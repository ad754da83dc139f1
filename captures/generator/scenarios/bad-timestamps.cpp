// Robustness: timestamps that go backwards. A healthy SIP/UDP phone (as sip-udp-healthy, fixed
// 10 ms answers) whose capture file has frames out of time order: a 200 OK stamped before its
// REGISTER, a whole transaction stamped before the previous one, and an unrelated frame stamped
// 1970-01-01 00:00:00 in the middle. Frames are written in the order below, not sorted.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 12:00:00 UTC):
//   registrar MAC 00:50:56:32:00:01, 10.32.0.1:5060; phone MAC 00:24:14:32:00:11,
//   10.32.0.11:5060, SEP002414320011, AOR sip:4031@10.32.0.1, one Call-ID, Cisco Contact,
//   REGISTER Expires 3600, 200 OK Contact ;expires=120.
//   Transaction k (k = 0..7): nominal REGISTER R_k = T0 + k * 115.010 s, 200 OK R_k + 10 ms,
//   written as frames 2k+1, 2k+2 (frame 13 = the 1970 frame shifts k = 6, 7 by one), except:
//     k = 2: the 200 OK is stamped R_2 - 2 s (before its REGISTER);
//     k = 4: both frames are stamped 200 s early (R_4 - 200 s < R_3: time goes back 85 s);
//   after transaction 5: a gratuitous ARP from 10.32.0.50 (MAC 00:11:22:33:44:55) stamped 0.
//   17 frames.
#include <string>
#include <vector>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-timestamps", "Robustness: SIP refreshes with a response before its request, a backward step and a 1970 frame") {
  const Endpoint reg_ep{"00:50:56:32:00:01", "10.32.0.1", 5060};
  const Endpoint phone{"00:24:14:32:00:11", "10.32.0.11", 5060};
  const TimeNs t0 = utc("2023-05-15 12:00:00.000000");

  Capture cap;  // builds the frames; their order is decided below
  UdpFlow udp(cap, phone, reg_ep);
  sip::Register reg = sip::phone_register(phone, "4031", reg_ep.ip.str());
  reg.from_tag = "ts1";
  reg.call_id = "bad-timestamps@" + phone.ip.str();
  reg.expires = 3600;
  const sip::Contact c = sip::cisco_phone_contact(sip::contact_uri("4031", phone), phone.mac, "437");
  reg.contacts = {c};
  for (int k = 0; k < 8; ++k) {
    const TimeNs t = t0 + k * 115010_ms;
    reg.cseq = static_cast<std::uint32_t>(k + 1);
    reg.branch = "z9hG4bKts" + std::to_string(k);
    udp.send(t, Dir::ToServer, reg.bytes());
    udp.send(t + 10_ms, Dir::ToClient, sip::ok(reg, "okts", {sip::with_expires(c, 120)}).bytes());
  }

  std::vector<kagen::Frame> frames = cap.sorted_frames();
  frames[5].time -= 2010_ms;  // k = 2's 200 OK: R_2 - 2 s
  frames[8].time -= 200_s;    // k = 4
  frames[9].time -= 200_s;
  kagen::Frame epoch{0, 0, gratuitous_arp("00:11:22:33:44:55", "10.32.0.50"), {}};
  frames.insert(frames.begin() + 12, epoch);

  out.save_pcap_as_given(frames);
}
