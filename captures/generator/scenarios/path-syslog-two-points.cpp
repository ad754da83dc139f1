// CUCM syslog next to a phone's registration captured at two points: the call manager gives the
// phone up while its late refresh is on the way, and the refresh passes the phone's point before
// the alarm passes the call manager's, whose clock is ahead.
//
// path-syslog-two-points (date 2023-05-10 UTC, nanosecond pcapng, interface 0 = phone side, 1 =
// CUCM side):
//   phone  SEPE0D1730A8137 (model "592")  MAC e0:d1:73:0a:81:37  10.60.98.210:51234, SIP over TCP
//   CUCM   node uc-ucm-01  MAC 00:50:56:a9:01:0b  10.60.98.11:5060; its syslog from port 514 to the
//          collector 10.60.99.20:514 (MAC 00:50:56:a9:02:14), seen at the CUCM side only
//   Clocks: the CUCM side's clock is 5.317 s ahead; one-way transit 302 us. A phone->CUCM segment
//   sent at phone time t is on interface 0 at t and on interface 1 at t + 5.317302; a CUCM->phone
//   segment on interface 0 at t is on interface 1 at t - 302 us + 5.317.
//   SIP    as path-two-points: REGISTER k at R(k), its 200 OK (;expires=120) 16 ms later on
//          interface 0, the phone's ACK 200 us after that. R1 = 18:14:49.051041 (handshake 2 ms
//          before), R2 = 200 OK(1) + 115 s, R3 = 200 OK(2) + 115 s, and R4 = 200 OK(3) + 135 s:
//          REGISTER 4 is 20 s late.
//   Alarm  EndPointUnregistered SEPE0D1730A8137, IPAddress 10.60.98.210, Protocol SIP, Reason 13,
//          LastSignalReceived SIPStationDPrimaryLineTimeout, seq 2001: sent 130.040 s after the
//          call manager sent 200 OK(3) (at 200 OK(3) - 302 us on the phone's clock), i.e. at
//          phone time 200 OK(3) + 130.039698 s, stamped 200 OK(3) + 135.356698 s on interface 1.
//   REGISTER 4's phone-side frame (200 OK(3) + 135 s) comes before the alarm in the file, its
//   CUCM-side copy (+ 5.317302 s) after.
// Derived: the alarm's last keepalive/refresh is REGISTER 3's phone-side frame, 130.055698 s
//   earlier on the CUCM side's clock (R3 + 16 ms + 130.039698 s - R3); the clock offset is
//   5.317 s, the mean of the two directions.
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("path-syslog-two-points",
            "A CUCM alarm at the call manager's point (clock +5.317 s) and the phone's late refresh at the phone's") {
  const Endpoint phone{"e0:d1:73:0a:81:37", "10.60.98.210", 51234};
  const Endpoint cucm_sip{"00:50:56:a9:01:0b", "10.60.98.11", 5060};
  const Endpoint cucm_syslog{"00:50:56:a9:01:0b", "10.60.98.11", cucm::kSyslogPort};
  const Endpoint collector{"00:50:56:a9:02:14", "10.60.99.20", cucm::kSyslogPort};
  const TimeNs transit = 302_us, skew = 5317_ms;

  Capture cap = Capture::merged();
  FlowOptions opt = FlowOptions::with_isns(2991996106u, 1046391843u);
  opt.points = merged_points(transit, skew);
  TcpFlow tcp(cap, phone, cucm_sip, opt);
  const TimeNs r1 = utc("2023-05-10 18:14:49.051041");
  tcp.handshake(r1 - 2_ms, 1_ms);

  sip::Register reg = sip::phone_register(phone, "4100", cucm_sip.ip.str(), "TCP");
  reg.from_tag = "e0d1730a81370012-4c1b2a7e";
  reg.call_id = "e0d1730a-81370002-3f6c1d2e-5a7b9c01@" + phone.ip.str();
  reg.user_agent = "Cisco-CP7841/14.1.1";
  reg.expires = 3600;
  const sip::Contact contact = sip::cisco_phone_contact(sip::contact_uri("4100", phone, "tcp"), phone.mac, "592");
  reg.contacts = {contact};

  TimeNs t = r1, ok3 = 0;
  for (unsigned k = 1; k <= 4; ++k) {
    reg.cseq = 100 + k;
    reg.branch = "z9hG4bK3f6c" + std::to_string(reg.cseq);
    tcp.send(t, Dir::ToServer, reg.bytes());
    const TimeNs ok_at = t + 16_ms;
    sip::Response ok = sip::ok(reg, "2207715911~c4a1b8e3-" + std::to_string(reg.cseq), {sip::with_expires(contact, 120)});
    ok.server = "Cisco-CUCM14.0";
    tcp.send(ok_at, Dir::ToClient, ok.bytes());
    tcp.ack(ok_at + 200_us, Dir::ToServer);
    if (k == 3) ok3 = ok_at;
    t = ok_at + (k == 3 ? 135_s : 115_s);
  }

  FlowOptions at_cucm;
  at_cucm.points = {CapturePoint{1, Side::Client, skew, skew, std::nullopt, std::nullopt}};
  UdpFlow syslog(cap, cucm_syslog, collector, at_cucm);
  cucm::EndpointUnregistered lost;
  lost.device_name = "SEPE0D1730A8137";
  lost.ip_address = phone.ip.str();
  const TimeNs sent = ok3 - transit + 130040_ms;
  syslog.send(sent, Dir::ToServer, cucm::syslog_payload(sent, cucm::endpoint_unregistered(lost), 2001, "uc-ucm-01"));
  out.save_pcapng(cap);
}
