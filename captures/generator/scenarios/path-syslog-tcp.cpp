// CUCM syslog over TCP (RFC 6587), captured on the collector's switch port (SPAN): the call
// manager's own connection to port 514, its messages ended by LF (non-transparent framing, as
// rsyslog sends), and a relay's to port 601, its messages octet-counted ("LEN SP MSG", as
// syslog-ng sends). Messages come whole, two to a segment, split across segments, and
// retransmitted.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-16 09:00:00 UTC):
//   CUCM uc-ucm-01  MAC 00:50:56:a1:30:05  10.10.30.5:40514 -> collector 10.10.40.50:514
//   relay relay01   MAC 00:50:56:a1:30:40  10.10.30.40:40601 -> collector 10.10.40.50:601
//   collector       MAC 00:50:56:a1:40:50
//   phones SEP001E4A3030NN (NN = 31..36) at 10.10.30.NN, SCCP, type 434, NodeID uc-ucm-01
//   CUCM's message: <187>SEQ: uc-ucm-01: May 16 2023 HH:MM:SS.mmm UTC :  ALARM, then LF
//   the relay's:    LEN SP <187>May 16 HH:MM:SS relay01 ALARM
//   Handshakes: SYN at T0 + 1 s (CUCM) and T0 + 2 s (relay), SYN/ACK 200 us later, ACK 100 us
//   after that. The collector acknowledges each message's last segment 400 us after it.
//
// path-syslog-tcp (23 frames):
//   1-3   CUCM handshake                4-6   relay handshake
//   7     T0+10.000000  CUCM   EndPointUnregistered SEP001E4A303031 Reason=13, seq 4001
//   9     T0+10.001200  relay  the same alarm
//   11    T0+20.000000  CUCM   SEP001E4A303032 Reason=6 (seq 4002) and SEP001E4A303033 Reason=13
//                              (seq 4003) in one segment
//   13/14 T0+30.000000/.000500  CUCM  SEP001E4A303034 Reason=8 (seq 4004): its first 100 bytes,
//                              then the rest
//   16/17 T0+40.000000/.300000  CUCM  SEP001E4A303035 Reason=13 (seq 4005), lost past the capture
//                              point (the collector dropped it), and its retransmission
//   19/20 T0+50.000000/.000300  relay SEP001E4A303036 Reason=13: its length and space, then the
//                              message
//   22    T0+60.000000  relay  the first segment in the capture of the relay's second connection
//                              (relay port 40602, established before the capture began): the last
//                              100 bytes of a message whose first segment the SPAN session dropped,
//                              then SEP001E4A303037 Reason=13
//   8, 10, 12, 15, 18, 21, 23: the collector's ACKs
//   => endpoint_unregistered on 7, 11 (twice), 14, 16, 20 and 22; 9 copies 7; nothing on the
//      retransmission 17.
//
// path-syslog-tcp-registered: the same frames (23), every alarm an EndPointRegistered (severity 6,
// PRI 190) instead: silent.
//
// path-syslog-tls (14 frames; key log path-syslog-tls.keys): the call manager's connection to
// 10.10.40.50:6514 over TLS (RFC 5425: octet-counted), TLS 1.2 as in the SIP and SCCP TLS
// scenarios (tls::open_session() with T0 + 10 s as its t0, tls::SessionParams::from_seed(5425)):
//   1-7   TCP and TLS handshakes, T0 + 9.960 s to T0 + 9.990 s
//   8     T0+10.000000  one record: SEP001E4A303031 Reason=13 (seq 5001)
//   10    T0+20.000000  one record: SEP001E4A303032 Reason=6 (seq 5002) and SEP001E4A303033
//                       Reason=13 (seq 5003)
//   12/13 T0+30.000000/.000500  SEP001E4A303034 Reason=8 (seq 5004): a record of its first 100
//                       bytes, then one of the rest
//   9, 11, 14: the collector's ACKs, 400 us after each message's last segment
//   => endpoint_unregistered on 8, 10 (twice) and 13, once Wireshark decrypts the connection
//      (`-o tls.keylog_file:path-syslog-tls.keys`, and `-d tcp.port==6514,tls` where it does not
//      take 6514 for TLS by itself: 4.0 and 4.2).
#include <string>

#include "scenario.h"
#include "tls.h"

using namespace kagen;
using namespace kagen::literals;

namespace {

const Endpoint kUcm{"00:50:56:a1:30:05", "10.10.30.5", 40514};
const Endpoint kRelay{"00:50:56:a1:30:40", "10.10.30.40", 40601};
const Endpoint kRelay2{"00:50:56:a1:30:40", "10.10.30.40", 40602};
const Endpoint kCollector514{"00:50:56:a1:40:50", "10.10.40.50", 514};
const Endpoint kCollector601{"00:50:56:a1:40:50", "10.10.40.50", 601};

cucm::Alarm alarm(unsigned phone, unsigned reason, bool registered) {
  cucm::EndpointUnregistered e;
  e.device_name = "SEP001E4A3030" + std::to_string(phone);
  e.ip_address = "10.10.30." + std::to_string(phone);
  e.protocol = "SCCP";
  e.device_type = 434;
  e.reason = reason;
  e.last_signal_received = "StationKeepAlive";
  cucm::Alarm a = cucm::endpoint_unregistered(e);
  if (registered) {
    a.severity = 6;
    a.name = "EndPointRegistered";
    a.text = "Endpoint registered";
  }
  return a;
}

// RFC 6587 octet counting: the message's length, a space, the message.
std::string octet_counted(const std::string& m) { return std::to_string(m.size()) + " " + m; }

Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(to));
}

void syslog_over_tcp(ScenarioOutput& out, bool registered) {
  const TimeNs t0 = utc("2023-05-16 09:00:00.000000");
  const int pri = registered ? 190 : 187;
  Capture cap;
  TcpFlow ucm(cap, kUcm, kCollector514);
  TcpFlow relay(cap, kRelay, kCollector601);
  ucm.handshake(t0 + 1_s, 200_us);
  relay.handshake(t0 + 2_s, 200_us);
  const auto line = [&](TimeNs t, unsigned phone, unsigned reason, unsigned seq) {
    return cucm::syslog_message(t, alarm(phone, reason, registered), seq, "uc-ucm-01", pri) + "\n";
  };
  const auto counted = [&](TimeNs t, unsigned phone, unsigned reason) {
    return octet_counted(cucm::relayed_message(t, alarm(phone, reason, registered), "relay01", pri));
  };

  TimeNs t = t0 + 10_s;
  ucm.send(t, Dir::ToServer, to_bytes(line(t, 31, 13, 4001)));
  ucm.ack(t + 400_us, Dir::ToClient);
  relay.send(t + 1200_us, Dir::ToServer, to_bytes(counted(t + 1200_us, 31, 13)));
  relay.ack(t + 1600_us, Dir::ToClient);

  t = t0 + 20_s;
  ucm.send(t, Dir::ToServer, to_bytes(line(t, 32, 6, 4002) + line(t, 33, 13, 4003)));
  ucm.ack(t + 400_us, Dir::ToClient);

  t = t0 + 30_s;
  const Bytes split = to_bytes(line(t, 34, 8, 4004));
  ucm.send(t, Dir::ToServer, slice(split, 0, 100));
  ucm.send(t + 500_us, Dir::ToServer, slice(split, 100, split.size()));
  ucm.ack(t + 900_us, Dir::ToClient);

  t = t0 + 40_s;
  t = ucm.send_delivered(t, Dir::ToServer, to_bytes(line(t, 35, 13, 4005)), 300_ms);
  ucm.ack(t + 400_us, Dir::ToClient);

  t = t0 + 50_s;
  const std::string m = counted(t, 36, 13);
  const std::size_t space = m.find(' ') + 1;
  relay.send(t, Dir::ToServer, to_bytes(m.substr(0, space)));
  relay.send(t + 300_us, Dir::ToServer, to_bytes(m.substr(space)));
  relay.ack(t + 700_us, Dir::ToClient);

  t = t0 + 60_s;
  TcpFlow relay2(cap, kRelay2, kCollector601);
  const std::string dropped = counted(t - 1_ms, 36, 13);
  relay2.send(t, Dir::ToServer, to_bytes(dropped.substr(dropped.size() - 100) + counted(t, 37, 13)));
  relay2.ack(t + 400_us, Dir::ToClient);
  out.save_pcap(cap);
}

void syslog_over_tls(ScenarioOutput& out) {
  const TimeNs t0 = utc("2023-05-16 09:00:00.000000");
  Capture cap;
  TcpFlow tcp(cap, kUcm, Endpoint{"00:50:56:a1:40:50", "10.10.40.50", 6514});
  tls::Session tls(tls::SessionParams::from_seed(5425));
  tls::open_session(tcp, tls, t0 + 10_s);
  const auto counted = [&](TimeNs t, unsigned phone, unsigned reason, unsigned seq) {
    return octet_counted(cucm::syslog_message(t, alarm(phone, reason, false), seq, "uc-ucm-01"));
  };
  const auto record = [&](const std::string& text) { return tls.application_data(Dir::ToServer, to_bytes(text)); };

  TimeNs t = t0 + 10_s;
  tcp.send(t, Dir::ToServer, record(counted(t, 31, 13, 5001)));
  tcp.ack(t + 400_us, Dir::ToClient);
  t = t0 + 20_s;
  tcp.send(t, Dir::ToServer, record(counted(t, 32, 6, 5002) + counted(t, 33, 13, 5003)));
  tcp.ack(t + 400_us, Dir::ToClient);
  t = t0 + 30_s;
  const std::string split = counted(t, 34, 8, 5004);
  tcp.send(t, Dir::ToServer, record(split.substr(0, 100)));
  tcp.send(t + 500_us, Dir::ToServer, record(split.substr(100)));
  tcp.ack(t + 900_us, Dir::ToClient);
  out.save_pcap(cap);
  tls::write_keylog(out.path(out.name() + ".keys"), tls.keylog_line());
}

}  // namespace

KA_SCENARIO("path-syslog-tcp", "CUCM alarms over TCP on the collector: LF-ended and octet-counted, split, retransmitted") {
  syslog_over_tcp(out, false);
}

KA_SCENARIO("path-syslog-tcp-registered", "path-syslog-tcp with every alarm an EndPointRegistered: silent") {
  syslog_over_tcp(out, true);
}

KA_SCENARIO("path-syslog-tls", "CUCM alarms over TLS on 6514 (octet-counted), read once decrypted") {
  syslog_over_tls(out);
}
