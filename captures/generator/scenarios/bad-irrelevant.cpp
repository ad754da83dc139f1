// Robustness: a capture with nothing the analysis is about: DNS, HTTP, ARP between hosts that
// answer for themselves, a Linux syslog line, and a datagram to port 5060 that is not SIP. The
// plugin must stay silent: no annotation, no expert info.
//
// Parameters (Ethernet, microsecond pcap, T0 = 2023-05-15 19:00:00 UTC):
//   client MAC 00:11:11:39:00:10, 10.39.0.10; server MAC 00:22:22:39:00:20, 10.39.0.20;
//   log host MAC 00:33:33:39:00:30, 10.39.0.30.
//   For k = 0..9, at T0 + k * 10 s:
//     +0 ms ARP request client -> who has 10.39.0.20; +0.2 ms reply from the server's own MAC
//     +1 ms DNS query client:53000+k -> server:53 (raw bytes), +2 ms response
//     +3 ms HTTP GET over TCP client:40000+k -> server:80 (handshake, request, response, FIN x2)
//     +20 ms "<13>Nov 21 10:00:0k host sshd[42]: Accepted publickey for root" to log host:514
//     +21 ms "hello 5060" (not SIP) client:5060 -> server:5060
#include <string>

#include "scenario.h"

using namespace kagen;
using namespace kagen::literals;

KA_SCENARIO("bad-irrelevant", "Robustness: DNS, HTTP, ARP, plain syslog and non-SIP text on 5060: nothing to analyse") {
  const TimeNs t0 = utc("2023-05-15 19:00:00.000000");
  const Mac cm("00:11:11:39:00:10"), sm("00:22:22:39:00:20"), lm("00:33:33:39:00:30");
  const IpAddr ci("10.39.0.10"), si("10.39.0.20"), li("10.39.0.30");
  Capture cap;
  for (int k = 0; k < 10; ++k) {
    const TimeNs t = t0 + seconds(10 * k);
    add_arp_resolution(cap, t, Endpoint{cm, ci}, Endpoint{sm, si}, 200_us);
    UdpFlow dns(cap, Endpoint{cm, ci, static_cast<std::uint16_t>(53000 + k)}, Endpoint{sm, si, 53});
    // Query for example.com A, and its answer 93.184.216.34.
    const Bytes q = {0x12, static_cast<std::uint8_t>(k), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
                     'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    Bytes r = q;
    r[2] = 0x81;
    r[3] = 0x80;
    r[7] = 1;
    append(r, Bytes{0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34});
    dns.send(t + 1_ms, Dir::ToServer, q);
    dns.send(t + 2_ms, Dir::ToClient, r);
    TcpFlow http(cap, Endpoint{cm, ci, static_cast<std::uint16_t>(40000 + k)}, Endpoint{sm, si, 80});
    http.handshake(t + 3_ms, 200_us);
    http.send(t + 4_ms, Dir::ToServer, to_bytes("GET / HTTP/1.1\r\nHost: 10.39.0.20\r\n\r\n"));
    http.send(t + 5_ms, Dir::ToClient, to_bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    http.fin(t + 6_ms, Dir::ToServer);
    http.fin(t + 7_ms, Dir::ToClient);
    UdpFlow log(cap, Endpoint{cm, ci, 514}, Endpoint{lm, li, 514});
    log.send(t + 20_ms, Dir::ToServer,
             to_bytes("<13>Nov 21 10:00:0" + std::to_string(k) + " host sshd[42]: Accepted publickey for root"));
    UdpFlow junk(cap, Endpoint{cm, ci, 5060}, Endpoint{sm, si, 5060});
    junk.send(t + 21_ms, Dir::ToServer, to_bytes("hello 5060"));
  }
  out.save_pcap(cap);
}
