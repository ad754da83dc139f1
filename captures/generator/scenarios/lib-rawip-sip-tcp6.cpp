// Library self-check: Raw IP link type, nanosecond pcap, SIP over TCP/IPv6 with
// a REGISTER split across two segments and two SIP responses in one segment, a
// TLS Via on a REGISTER carried over plain TCP text, and an IPv4 syslog datagram
// without UDP checksum.
//
// Parameters (RawIp, nanosecond pcap, T0 = 2023-05-14 18:00:00.000000000 UTC):
//   phone  [2001:db8:50::50]:49152, AOR sip:5050@example.net
//   proxy  [2001:db8:50::1]:5060;  TCP ISN phone 4294967000, proxy 123
//   syslog 10.50.0.1:514 -> 10.50.0.9:514, checksum 0
// Timeline:
//   T0+0.000000000  SYN; +0.000300000 SYN/ACK; +0.000350000 ACK
//   T0+0.001000000  REGISTER CSeq 7 (Via SIP/2.0/TLS, Expires 600) in two segments of
//                   at most 300 bytes, 250 ns apart
//   T0+0.003000125  one segment: 100 Trying + 200 OK (Contact expires=600)
//   T0+0.003100000  phone ACK
//   T0+1.000000001  syslog EndPointUnregistered for SEP00000000AA50 (Reason=8, DeviceInitiatedReset)
#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("lib-rawip-sip-tcp6",
            "Library check: raw IP, ns pcap, SIP/TCP/IPv6 split and combined segments, UDP without checksum") {
  const Endpoint phone{Mac(), "2001:db8:50::50", 49152};
  const Endpoint proxy{Mac(), "2001:db8:50::1", 5060};
  const TimeNs t0 = utc("2023-05-14 18:00:00.000000000");

  Capture cap(LinkType::RawIp, "tun0");
  TcpFlow tcp(cap, phone, proxy, FlowOptions::with_isns(4294967000u, 123));
  tcp.handshake(t0, t0 + 300_us, t0 + 350_us);

  sip::Register reg = sip::phone_register(phone, "5050", "example.net", "TLS");
  reg.from_tag = "aa50";
  reg.call_id = "rawip-5050@" + phone.ip.uri_host();
  reg.cseq = 7;
  reg.branch = "z9hG4bKaa5007";
  reg.expires = 600;
  sip::Contact c;
  c.uri = sip::contact_uri("5050", phone, "tcp");
  reg.contacts = {c};
  tcp.send_split(t0 + 1_ms, Dir::ToServer, reg.bytes(), 300, 250_ns);
  tcp.send(t0 + 3000125_ns, Dir::ToClient,
           concat(sip::trying(reg).bytes(), sip::ok(reg, "pr7", {sip::with_expires(c, 600)}).bytes()));
  tcp.ack(t0 + 3100_us, Dir::ToServer);

  FlowOptions log_opt;
  log_opt.udp_checksum = false;
  UdpFlow syslog(cap, Endpoint{Mac(), "10.50.0.1", cucm::kSyslogPort}, Endpoint{Mac(), "10.50.0.9", cucm::kSyslogPort},
                 log_opt);
  cucm::EndpointUnregistered e;
  e.device_name = "SEP00000000AA50";
  e.ip_address = "10.50.0.50";
  e.reason = 8;
  e.last_signal_received = "SIPStationDPrimaryLineTimeout";
  const TimeNs t_log = t0 + 1_s + 1_ns;
  syslog.send(t_log, Dir::ToServer, cucm::syslog_payload(t_log, cucm::endpoint_unregistered(e), 77, "uc-ucm-02"));

  out.save_pcap(cap, TsResolution::Nano);
}
