// SPEC 2.5, case study B: a Cisco 8961 refreshing its SIP registration over TCP
// through a switch that drops the first frame of every refresh, so TCP
// retransmits it with a doubling back-off until the grace window is breached.
//
// Parameters (phone-side capture, Ethernet, microsecond pcap, date 2023-05-09 UTC):
//   phone   SEPA44C118F2E61 (Cisco 8961, model "540")  MAC a4:4c:11:8f:2e:61  10.147.230.189:50708
//   CUCM    178.215.139.22:5060 via the phone's gateway, MAC 00:1b:54:c2:8a:40
//   TCP     one connection; ISN phone 2991996106 (first REGISTER at seq 2991996107), CUCM 1046391843
//   SIP     AOR sip:4012@178.215.139.22, one Call-ID for all refreshes, CSeq 101..108,
//           REGISTER "Expires: 3600" with Contact <sip:4012@10.147.230.189:50708;transport=tcp>
//           ;+sip.instance="<urn:uuid:00000000-0000-0000-0000-a44c118f2e61>"
//           ;+u.sip!devicename.ccm.cisco.com="SEPA44C118F2E61";+u.sip!model.ccm.cisco.com="540"
//           200 OK: same Contact plus ";expires=120", no Expires header.
//   Rows 1-6 use the table's timestamps verbatim. Row 1's REGISTER is delivered
//   at once (no retransmission). In rows 2-8 the first transmission is lost
//   between the phone and CUCM; the phone capture sees it and its exact TCP
//   retransmission. Rows 7-8 extend the pattern: first tx = previous 200 OK +
//   115.000000 s, gap = 2 x previous gap, 200 OK = retransmission + 0.036498 s
//   (row 6's delay).
//   CUCM's TCP ACK of each REGISTER is piggybacked on its 200 OK (no separate
//   pure ACK), so the delivery evidence of every attempt is its 200 OK frame.
//   The phone ACKs each 200 OK 0.000200 s after it.
//   After the breach (row 8) the registrar still answers 200 OK; the capture
//   ends with the phone's ACK of that 200 OK.
//
// Frames: 1 SYN (row1 - 2 ms), 2 SYN/ACK (row1 - 1 ms), 3 ACK (row1 - 0.9 ms),
//   4 REGISTER CSeq 101, 5 200 OK, 6 ACK; then for row r = 2..8 four frames
//   starting at 7 + 4(r-2): REGISTER (first tx), retransmission, 200 OK, ACK. 34 frames.
//
// Derived values (grant 120 s, delta 5 s, grace 15 s: expected = OK + 115 s,
// deadline = OK + 130 s, margin = deadline - delivery(200 OK)):
//   row first tx         retransmission   200 OK           gap        interval    lateness  margin
//   1   22:56:17.457226  -                22:56:17.473815  -          -           -         -
//   2   22:58:12.474709  22:58:12.892520  22:58:12.909452   0.417811  115.000894  0.000894  14.564363
//   3   23:00:07.909779  23:00:08.747602  23:00:08.764030   0.837823  115.000327  0.000327  14.145422
//   4   23:02:03.764972  23:02:05.457251  23:02:05.459023   1.692279  115.000942  0.000942  13.305007
//   5   23:04:00.460122  23:04:03.832323  23:04:03.834726   3.372201  115.001099  0.001099  11.624297
//   6   23:05:58.836796  23:06:05.532734  23:06:05.569232   6.695938  115.002070  0.002070   8.265494
//   7   23:08:00.569232  23:08:13.961108  23:08:13.997606  13.391876  115.000000  0.000000   1.571626
//   8   23:10:08.997606  23:10:35.781358  23:10:35.817856  26.783752  115.000000  0.000000 -11.820250
//   Row 8 breaches: deadline 23:10:23.997606; nothing is delivered by then, so the
//   breach belongs to the first frame past it, the retransmission (frame 32,
//   23:10:35.781358): overrun 11.783752 s. Its 200 OK (frame 33) shows margin -11.820250 s.
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

struct Row {
  const char* first_tx;
  const char* retransmission;  // equal to first_tx: delivered at once
  const char* ok;
};

// SPEC 2.5 table, phone-side capture.
const Row kTable[] = {
    {"22:56:17.457226", "22:56:17.457226", "22:56:17.473815"},
    {"22:58:12.474709", "22:58:12.892520", "22:58:12.909452"},
    {"23:00:07.909779", "23:00:08.747602", "23:00:08.764030"},
    {"23:02:03.764972", "23:02:05.457251", "23:02:05.459023"},
    {"23:04:00.460122", "23:04:03.832323", "23:04:03.834726"},
    {"23:05:58.836796", "23:06:05.532734", "23:06:05.569232"},
};
constexpr int kExtraRows = 2;  // rows 7 and 8: until the breach
constexpr const char* kDate = "2023-05-09 ";

struct Attempt {
  TimeNs first_tx, retransmission, ok;
};

}  // namespace

KA_SCENARIO("sip-tcp-case-study-b",
            "SPEC case study B: SIP/TCP refreshes whose first frame is lost; RTO doubling breaches grace") {
  const Endpoint phone{"a4:4c:11:8f:2e:61", "10.147.230.189", 50708};
  const Endpoint cucm{"00:1b:54:c2:8a:40", "178.215.139.22", 5060};

  std::vector<Attempt> attempts;
  for (const Row& r : kTable) {
    attempts.push_back({utc(std::string(kDate) + r.first_tx), utc(std::string(kDate) + r.retransmission),
                        utc(std::string(kDate) + r.ok)});
  }
  for (int i = 0; i < kExtraRows; ++i) {
    const Attempt& prev = attempts.back();
    const TimeNs gap = 2 * (prev.retransmission - prev.first_tx);
    const TimeNs ok_delay = prev.ok - prev.retransmission;
    const TimeNs first = prev.ok + 115_s;
    attempts.push_back({first, first + gap, first + gap + ok_delay});
  }

  Capture cap(LinkType::Ethernet, "phone-side");
  TcpFlow tcp(cap, phone, cucm, FlowOptions::with_isns(2991996106u, 1046391843u));
  const TimeNs t1 = attempts.front().first_tx;
  tcp.handshake(t1 - 2_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "4012", cucm.ip.str(), "TCP");
  reg.from_tag = "a44c118f2e61000a3c2d1b4e-6b1f7a52";
  reg.call_id = "a44c118f-2e610004-5b3e7d21-1c9a4f06@" + phone.ip.str();
  reg.user_agent = "Cisco-CP8961/9.4.2";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("4012", phone, "tcp"), phone.mac, "540");
  reg.contacts = {contact};

  std::uint32_t cseq = 101;
  for (const Attempt& a : attempts) {
    reg.cseq = cseq;
    reg.branch = "z9hG4bK5b3e" + std::to_string(cseq);
    tcp.send_delivered(a.first_tx, Dir::ToServer, reg.bytes(), a.retransmission - a.first_tx);
    sip::Response ok = sip::ok(reg, "1184593276~7e1c0a55-" + std::to_string(cseq), {sip::with_expires(contact, 120)});
    ok.server = "Cisco-CUCM11.5";
    tcp.send(a.ok, Dir::ToClient, ok.bytes());
    tcp.ack(a.ok + 200_us, Dir::ToServer);
    ++cseq;
  }
  out.save_pcap(cap, TsResolution::Micro);
}
