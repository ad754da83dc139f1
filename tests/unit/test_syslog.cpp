// CUCM syslog parsing and correlation (SPEC §3.5).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <string>

#include "core/capture_points.h"
#include "core/messages.h"
#include "core/syslog_analyzer.h"
#include "core/time.h"

using namespace ka;

namespace {

// SPEC §2.3's example line.
const std::string kSpecLine =
    "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPE0D1730A8137][IPAddress=10.60.98.210][Protocol=SIP]"
    "[DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0]"
    "[LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager][ClusterID=StandAloneCluster]"
    "[NodeID=uc-ucm-01]: An endpoint has unregistered";

struct Rig {
    FindingStore store;
    Context ctx{Config{}, store};
    CapturePoints points{ctx};
    SyslogAnalyzer syslog{ctx, points};
    Frame f;
    IpAddr from = IpAddr::v4(0x0a3c010a), to = IpAddr::v4(0x0a3c0114);  // the leg: CUCM -> collector

    void message(std::uint32_t number, Nanos t, std::string_view text, std::uint32_t iface = 0) {
        f.clear();
        f.number = number;
        f.time = t;
        f.interface_id = iface;
        f.src_ip = from;
        f.dst_ip = to;
        f.src_port = 514;
        f.dst_port = 514;
        f.transport = Transport::Udp;
        f.syslog.push_back(text);
        ctx.sink.begin_frame(number);
        syslog.on_frame(f);
    }

    // One SKINNY segment seen at interface 0 at `t` and at interface 1 `skew` later (frames
    // `number`, `number` + 1): the two capture points' clock offset, as a merged capture gives it.
    void segment_at_both_points(std::uint32_t number, Nanos t, Nanos skew) {
        Frame seg;
        for (std::uint32_t iface : {0u, 1u}) {
            seg.number = number + iface;
            seg.time = t + iface * skew;
            seg.interface_id = iface;
            seg.transport = Transport::Tcp;
            seg.tcp.present = true;
            seg.tcp.seq = 1234567891;
            seg.tcp.len = 12;
            seg.src_ip = IpAddr::v4(0x0a3c62d2);
            seg.dst_ip = IpAddr::v4(0x0a3c620a);
            seg.src_port = 49320;
            seg.dst_port = 2000;
            ctx.sink.begin_frame(seg.number);
            points.on_frame(seg);
        }
    }
};

}  // namespace

TEST_CASE("SPEC's EndPointUnregistered line parses into every field") {
    CucmAlarm a;
    const std::string line = "<187>42: uc-ucm-01: May 09 2023 23:10:24.120 UTC :  " + kSpecLine;  // a views it
    REQUIRE(parse_cucm_alarm(line, a));
    CHECK(a.kind == CucmAlarm::Kind::EndPointUnregistered);
    CHECK(a.device == "SEPE0D1730A8137");
    CHECK(a.ip == "10.60.98.210");
    CHECK(a.protocol == "SIP");
    CHECK(a.has_reason);
    CHECK(a.reason == 13);
    CHECK(a.signal == "SIPStationDPrimaryLineTimeout");
}

TEST_CASE("EndPointTransientConnection's own key spelling") {
    CucmAlarm a;
    REQUIRE(parse_cucm_alarm("%UC_CALLMANAGER-3-EndPointTransientConnection: %[Device_IP_address=10.1.2.3]"
                             "[Device_name=SEP001122334455][Device_MAC_address=001122334455][Protocol=SCCP]"
                             "[Reason_Code=6][Connecting_Port=2000][AppID=Cisco CallManager]: Endpoint transient "
                             "connection attempt.",
                             a));
    CHECK(a.kind == CucmAlarm::Kind::EndPointTransientConnection);
    CHECK(a.device == "SEP001122334455");
    CHECK(a.ip == "10.1.2.3");
    CHECK(a.protocol == "SCCP");
    CHECK(a.reason == 6);
    CHECK(a.signal.empty());
}

TEST_CASE("garbage, truncation, missing keys and huge input") {
    CucmAlarm a;
    CHECK_FALSE(parse_cucm_alarm("", a));
    CHECK_FALSE(parse_cucm_alarm("%UC_CALLMANAGER-6-EndPointRegistered: %[DeviceName=SEP1]", a));
    CHECK(a.kind == CucmAlarm::Kind::None);

    REQUIRE(parse_cucm_alarm("EndPointUnregistered: %[DeviceName=SEP1][IPAddress=10.0.0.1][Reason=1", a));
    CHECK(a.device == "SEP1");
    CHECK(a.ip == "10.0.0.1");
    CHECK_FALSE(a.has_reason);  // cut off

    REQUIRE(parse_cucm_alarm("EndPointUnregistered [Reason=abc][=x][NoEquals][Reason=99999999999]", a));
    CHECK_FALSE(a.has_reason);
    CHECK(a.device.empty());

    REQUIRE(parse_cucm_alarm("EndPointUnregistered", a));
    CHECK(a.device.empty());

    std::string huge = "EndPointUnregistered: %[DeviceName=" + std::string(1 << 20, 'A') + "][Reason=13]";
    REQUIRE(parse_cucm_alarm(huge, a));
    CHECK(a.device.empty());
    CHECK_FALSE(a.has_reason);  // beyond the scanned prefix
    std::string brackets(1 << 20, '[');
    CHECK_FALSE(parse_cucm_alarm(brackets, a));
}

TEST_CASE("CUCM versions and framings: facility names, RFC 5424, key order, missing and extra keys") {
    CucmAlarm a;
    // CUCM's older facility name, RFC 5424 framing with structured data, keys reordered, no
    // LastSignalReceived, extra keys.
    REQUIRE(parse_cucm_alarm("1 2024-03-01T08:15:02.532Z ucm-sub1 ccm 3388 - [meta sequenceId=\"7\"] "
                             "%CCM_CALLMANAGER-CALLMANAGER-3-EndPointUnregistered: %[Reason=8][Protocol=SCCP]"
                             "[DeviceName=SEP001122334455][StationPID=[1,100,12,34]][IPAddress=10.1.2.3]"
                             "[AppID=Cisco CallManager][ClusterID=C1][NodeID=ucm-sub1]: An endpoint has unregistered",
                             a));
    CHECK(a.kind == CucmAlarm::Kind::EndPointUnregistered);
    CHECK(a.device == "SEP001122334455");
    CHECK(a.ip == "10.1.2.3");
    CHECK(a.protocol == "SCCP");
    CHECK(a.reason == 8);
    CHECK(a.signal.empty());

    // An IPv6-only phone; a key outside the release's alarm catalog, qualified.
    REQUIRE(parse_cucm_alarm("%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP001122334455][IPAddress=]"
                             "[IPV6Address=2001:db8::21][Protocol=SIP][Reason=13]"
                             "[UNKNOWN_PARAMNAME:LastSignalReceived=SIPStationDPrimaryLineTimeout]: x",
                             a));
    CHECK(a.ip == "2001:db8::21");
    CHECK(a.signal == "SIPStationDPrimaryLineTimeout");
}

TEST_CASE("CUCM before 8.0: DeviceUnregistered's Label.:value list") {
    CucmAlarm a;
    // As Cisco's note on reason code 12 quotes it (CUCM 5.x/6.x), the address filled in.
    REQUIRE(parse_cucm_alarm("<187>512: ccm1: Dec 02 2008 10:41:07.331 UTC :  "
                             "%CCM_CALLMANAGER-CALLMANAGER-3-DeviceUnregistered: Device unregistered. "
                             "Device name.:SEP000B5F327F9A Device IP address.:10.1.1.1 Protocol.:SCCP "
                             "Device type. [Optional]:8 Device description [Optional].:xyz Reason Code [Optional].:12",
                             a));
    CHECK(a.kind == CucmAlarm::Kind::DeviceUnregistered);
    CHECK(a.device == "SEP000B5F327F9A");
    CHECK(a.ip == "10.1.1.1");
    CHECK(a.protocol == "SCCP");
    CHECK(a.has_reason);
    CHECK(a.reason == 12);
    CHECK(a.signal.empty());

    // The catalog's other spellings ("Device IP address [Optional].", "Reason Code."), the
    // application ids after the reason, a description with spaces, labels and colons of its own.
    REQUIRE(parse_cucm_alarm("%CCM_CALLMANAGER-CALLMANAGER-6-DeviceUnregistered: Device unregistered "
                             "Device name.:SEP001122334455 Device MAC address [Optional].:001122334455 "
                             "Device IP address [Optional].:10.2.3.4 Protocol.:SIP Device type.:336 "
                             "Device description.:Lobby: Protocol and front desk Reason Code.:8 "
                             "App ID:Cisco CallManager Cluster ID:StandAloneCluster Node ID:CM-PUB",
                             a));
    CHECK(a.device == "SEP001122334455");
    CHECK(a.ip == "10.2.3.4");
    CHECK(a.protocol == "SIP");
    CHECK(a.reason == 8);

    // No address (a device CUCM lost before it knew one), no reason; the bracketed form of the
    // same alarm name is read as the bracketed form.
    REQUIRE(parse_cucm_alarm("%CCM_CALLMANAGER-CALLMANAGER-3-DeviceUnregistered: Device unregistered. "
                             "Device name.:SEP0017943A98BA Device IP address.: Device type. [Optional]:8",
                             a));
    CHECK(a.device == "SEP0017943A98BA");
    CHECK(a.ip.empty());
    CHECK_FALSE(a.has_reason);
    REQUIRE(parse_cucm_alarm("%UC_CALLMANAGER-4-DeviceUnregistered: %[DeviceName=SEP001122334455]"
                             "[IPAddress=10.2.3.4][Protocol=SCCP][Reason=13]: Device unregistered", a));
    CHECK(a.kind == CucmAlarm::Kind::DeviceUnregistered);
    CHECK(a.ip == "10.2.3.4");
    CHECK(a.reason == 13);

    // Labels without their ':' and cut-off values are not read.
    REQUIRE(parse_cucm_alarm("DeviceUnregistered: Device name. SEP1 Reason Code [Optional]", a));
    CHECK(a.device.empty());
    CHECK_FALSE(a.has_reason);
}

TEST_CASE("an old-format unregistration raises the same error as the new one") {
    Rig r;
    const std::uint32_t name = r.ctx.strings.intern("SEP000B5F327F9A");
    r.ctx.directory.touch(IpAddr::v4(0x0a010101), {seconds(10), 4, name, 0});
    r.message(9, seconds(25), "%CCM_CALLMANAGER-CALLMANAGER-3-DeviceUnregistered: Device unregistered. "
                              "Device name.:SEP000B5F327F9A Device IP address.:10.1.1.1 Protocol.:SCCP "
                              "Device type. [Optional]:8 Device description [Optional].:xyz Reason Code [Optional].:12");
    REQUIRE(r.store.count(9) == 1);
    const Annotation a = r.store.get(9, 0);
    CHECK(a.raised(Expert::EndpointUnregistered));
    CHECK(a.get(Field::SyslogReason) == 12);
    CHECK(a.get(Field::SyslogLastSeen) == 4);
    CHECK(expert_message(Expert::EndpointUnregistered, a, r.ctx.strings, r.ctx.config) ==
          "Call manager unregistered SEP000B5F327F9A: reason 12 SCCPDeviceThrottling; its last keepalive/refresh in "
          "the capture: frame 4, " + format_duration(seconds(15)) + " earlier");
}

TEST_CASE("a free-text description with brackets does not hide the keys after it") {
    CucmAlarm a;
    REQUIRE(parse_cucm_alarm("%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP001122334455]"
                             "[IPAddress=10.1.2.3][Protocol=SCCP][DeviceType=30016][Description=Conf room [B] 2nd floor]"
                             "[Reason=13][IPAddrAttributes=0][LastSignalReceived=StationKeepAlive]"
                             "[AppID=Cisco CallManager]: An endpoint has unregistered",
                             a));
    CHECK(a.reason == 13);
    CHECK(a.signal == "StationKeepAlive");

    // "]:" in a description is no end of the list: the keys after it are read.
    REQUIRE(parse_cucm_alarm("%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP001122334455]"
                             "[IPAddress=10.1.2.3][Protocol=SCCP][DeviceType=30016][Description=Bldg [A]: Lobby]"
                             "[Reason=13][IPAddrAttributes=0][LastSignalReceived=StationKeepAlive]"
                             "[AppID=Cisco CallManager]: An endpoint has unregistered",
                             a));
    CHECK(a.reason == 13);
    CHECK(a.signal == "StationKeepAlive");
}

TEST_CASE("several messages in one datagram are each correlated") {
    Rig r;
    r.message(5, seconds(100),
              "<187>12: ucm: Mar 01 2024 08:15:02.532 UTC :  %UC_CALLMANAGER-3-EndPointUnregistered: "
              "%[DeviceName=SEP000000000001][IPAddress=10.1.2.3][Reason=13]: An endpoint has unregistered\n"
              "<187>13: ucm: Mar 01 2024 08:15:02.533 UTC :  %UC_CALLMANAGER-3-EndPointUnregistered: "
              "%[DeviceName=SEP000000000002][IPAddress=10.1.2.4][Reason=6]: An endpoint has unregistered\n");
    REQUIRE(r.store.count(5) == 2);
    CHECK(r.ctx.strings.get(r.store.get(5, 0).endpoint) == "SEP000000000001");
    CHECK(r.store.get(5, 0).get(Field::SyslogReason) == 13);
    CHECK(r.ctx.strings.get(r.store.get(5, 1).endpoint) == "SEP000000000002");
    CHECK(r.store.get(5, 1).get(Field::SyslogReason) == 6);
}

TEST_CASE("the syslog frame links to the endpoint's last keepalive by device name") {
    Rig r;
    std::uint32_t name = r.ctx.strings.intern("SEPE0D1730A8137");
    const std::uint32_t server = r.ctx.strings.intern("10.60.98.11:5060/tcp");
    r.ctx.directory.touch(IpAddr::v4(0x0a3c62d2), {seconds(1000), 40, name, 0, server});
    r.message(90, seconds(1130) + millis(5), kSpecLine);
    REQUIRE(r.store.count(90) == 1);
    Annotation a = r.store.get(90, 0);
    CHECK(a.subject == Subject::Syslog);
    CHECK(a.server == server);  // the call manager its last keepalive/refresh went to
    CHECK(a.raised(Expert::EndpointUnregistered));
    CHECK(r.ctx.strings.get(a.endpoint) == "SEPE0D1730A8137");
    CHECK(a.get(Field::SyslogReason) == 13);
    CHECK(r.ctx.strings.get(static_cast<std::uint32_t>(a.get(Field::SyslogSignal))) == "SIPStationDPrimaryLineTimeout");
    CHECK(r.ctx.strings.get(static_cast<std::uint32_t>(a.get(Field::SyslogDeviceIp))) == "10.60.98.210");
    CHECK(r.ctx.strings.get(static_cast<std::uint32_t>(a.get(Field::SyslogProtocol))) == "SIP");
    CHECK(a.get(Field::SyslogLastSeen) == 40);
    CHECK(a.get(Field::SyslogAge) == seconds(130) + millis(5));
    CHECK(expert_message(Expert::EndpointUnregistered, a, r.ctx.strings, r.ctx.config) ==
          "Call manager unregistered SEPE0D1730A8137: reason 13 KeepAliveTimeout, last signal "
          "SIPStationDPrimaryLineTimeout; its last keepalive/refresh in the capture: frame 40, " +
              format_duration(seconds(130) + millis(5)) + " earlier");
}

TEST_CASE("without a known device name the address links it; unknown endpoints are annotated unlinked") {
    Rig r;
    r.ctx.directory.touch(IpAddr::v4(0x0a3c62d2), {seconds(10), 7, 0, 0});
    r.message(8, seconds(20), kSpecLine);
    CHECK(r.store.get(8, 0).get(Field::SyslogLastSeen) == 7);

    Rig unknown;
    unknown.message(3, seconds(20), kSpecLine);
    Annotation a = unknown.store.get(3, 0);
    CHECK_FALSE(a.has(Field::SyslogLastSeen));
    CHECK(a.raised(Expert::EndpointUnregistered));
}

TEST_CASE("an alarm without a reason does not name one") {
    Rig r;
    r.message(3, seconds(20), "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP000000000009][IPAddress=10.1.2.3]"
                              "[LastSignalReceived=StationKeepAlive]: An endpoint has unregistered");
    Annotation a = r.store.get(3, 0);
    CHECK_FALSE(a.has(Field::SyslogReason));
    CHECK(expert_message(Expert::EndpointUnregistered, a, r.ctx.strings, r.ctx.config) ==
          "Call manager unregistered SEP000000000009: last signal StationKeepAlive; no keepalive or refresh of it "
          "in the capture");
    r.message(4, seconds(21), "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP000000000009]: x");
    CHECK(expert_message(Expert::EndpointUnregistered, r.store.get(4, 0), r.ctx.strings, r.ctx.config) ==
          "Call manager unregistered SEP000000000009; no keepalive or refresh of it in the capture");
}

TEST_CASE("the address does not link another device's keepalive") {
    Rig r;
    r.ctx.directory.touch(IpAddr::v4(0x0a3c62d2), {seconds(1000), 40, r.ctx.strings.intern("SEP000000000002"), 0});
    r.message(90, seconds(1130), kSpecLine);  // SEPE0D1730A8137 at 10.60.98.210, never seen itself
    Annotation a = r.store.get(90, 0);
    CHECK_FALSE(a.has(Field::SyslogLastSeen));
    CHECK_FALSE(a.has(Field::SyslogAge));
    CHECK(r.ctx.strings.get(a.endpoint) == "SEPE0D1730A8137");
}

TEST_CASE("a keepalive seen at another capture point is timed on the syslog's point's clock") {
    // Interface 1's clock runs 5.3 s ahead of interface 0's: one segment seen at both says so.
    constexpr Nanos kSkew = millis(5300);
    Rig r;
    r.segment_at_both_points(10, seconds(1000), kSkew);
    const std::uint32_t name = r.ctx.strings.intern("SEPE0D1730A8137");
    r.ctx.directory.touch(IpAddr::v4(0x0a3c62d2), {seconds(1000), 10, name, 0});
    r.message(90, seconds(1091) + kSkew, kSpecLine, 1);  // 91 s later, on interface 1's clock
    CHECK(r.store.get(90, 0).get(Field::SyslogAge) == seconds(91));
    r.message(91, seconds(1092) + kSkew, kSpecLine, 0);  // same point: no offset
    CHECK(r.store.get(91, 0).get(Field::SyslogAge) == seconds(92) + kSkew);
    r.message(92, seconds(1093), kSpecLine, 2);  // a point with no estimate: the plain difference
    CHECK(r.store.get(92, 0).get(Field::SyslogAge) == seconds(93));
}

TEST_CASE("a keepalive captured at another point before the message, but sent after it, is not its last") {
    // The phone's point runs on true time, the call manager's 5.3 s ahead. The phone refreshes at
    // 231.04 s and, 20 s late, at 366.06 s; the call manager gives up at 361.10 s (366.40 s on its
    // clock): the late refresh precedes the alarm in the capture, not in time.
    constexpr Nanos kSkew = millis(5300);
    Rig r;
    r.segment_at_both_points(1, seconds(1), kSkew);
    const std::uint32_t name = r.ctx.strings.intern("SEPE0D1730A8137");
    const IpAddr phone = IpAddr::v4(0x0a3c62d2);
    r.ctx.directory.touch(phone, {seconds(231) + millis(40), 19, name, 0});
    r.ctx.directory.touch(phone, {seconds(366) + millis(60), 25, name, 0});
    r.message(26, seconds(366) + millis(400), kSpecLine, 1);
    Annotation a = r.store.get(26, 0);
    CHECK(a.get(Field::SyslogLastSeen) == 19);
    CHECK(a.get(Field::SyslogAge) == seconds(366) + millis(400) - kSkew - seconds(231) - millis(40));  // 130.06 s
    // An alarm after the late refresh on its clock links it.
    r.message(27, seconds(366) + millis(60) + kSkew + millis(40), kSpecLine, 1);
    a = r.store.get(27, 0);
    CHECK(a.get(Field::SyslogLastSeen) == 25);
    CHECK(a.get(Field::SyslogAge) == millis(40));
    // Before both on its clock: no keepalive of the capture precedes it.
    r.message(28, seconds(231) + kSkew, kSpecLine, 1);
    CHECK_FALSE(r.store.get(28, 0).has(Field::SyslogLastSeen));
    CHECK(r.store.get(28, 0).raised(Expert::EndpointUnregistered));
}

TEST_CASE("an alarm naming the address a device left links its last sign from there") {
    // SEP0024142DDF24 refreshes from 10.0.0.5, then registers from 10.0.0.6; the call manager then
    // reports the registration from 10.0.0.5 gone.
    Rig r;
    const std::uint32_t name = r.ctx.strings.intern("SEP0024142DDF24");
    const IpAddr old_ip = IpAddr::v4(0x0a000005), new_ip = IpAddr::v4(0x0a000006);
    r.ctx.directory.touch(old_ip, {seconds(0), 1, name, 0});
    r.ctx.directory.touch(old_ip, {seconds(115), 3, name, 0});
    r.ctx.directory.touch(new_ip, {seconds(200), 5, name, 0});
    const auto alarm = [](const char* ip) {
        return std::string("%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0024142DDF24][IPAddress=") + ip +
               "][Protocol=SIP][Reason=23]: An endpoint has unregistered";
    };
    r.message(7, seconds(200) + millis(50), alarm("10.0.0.5"));
    CHECK(r.store.get(7, 0).get(Field::SyslogLastSeen) == 3);
    CHECK(r.store.get(7, 0).get(Field::SyslogAge) == seconds(85) + millis(50));
    // The new address, or none: its latest.
    r.message(8, seconds(201), alarm("10.0.0.6"));
    CHECK(r.store.get(8, 0).get(Field::SyslogLastSeen) == 5);
    r.message(9, seconds(202), "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0024142DDF24][Reason=13]: x");
    CHECK(r.store.get(9, 0).get(Field::SyslogLastSeen) == 5);
    // Another device took the old address since: the name links its latest.
    r.ctx.directory.touch(old_ip, {seconds(203), 10, r.ctx.strings.intern("SEP000000000002"), 0});
    r.message(11, seconds(204), alarm("10.0.0.5"));
    CHECK(r.store.get(11, 0).get(Field::SyslogLastSeen) == 5);
}

TEST_CASE("a transient connection is annotated without an error") {
    Rig r;
    r.message(1, seconds(1), "%UC_CALLMANAGER-3-EndPointTransientConnection: %[Device_IP_address=10.1.2.3][Device_name=SEP1][Reason_Code=6]: x");
    REQUIRE(r.store.count(1) == 1);
    Annotation a = r.store.get(1, 0);
    CHECK(a.subject == Subject::Syslog);
    CHECK(a.experts() == 0);
    CHECK(a.get(Field::SyslogTransientReason) == 6);
}

TEST_CASE("a transient connection's reason is not named as an unregistration's") {
    // Its Reason_Code is an enumeration of its own: 13 there is no KeepAliveTimeout.
    Rig r;
    r.message(1, seconds(1), "%UC_CALLMANAGER-3-EndPointTransientConnection: %[Device_IP_address=10.1.2.3]"
                             "[Device_name=SEP1][Protocol=SIP][Reason_Code=13][Connecting_Port=5060]: x");
    const Annotation a = r.store.get(1, 0);
    CHECK_FALSE(a.has(Field::SyslogReason));
    CHECK(a.get(Field::SyslogTransientReason) == 13);
    CHECK(summary(a, r.ctx.strings) == "SEP1 syslog, transient connection, reason 13");
}

TEST_CASE("unregistration reasons past SPEC's list are named as the alarm catalog names them") {
    const auto named = [](std::uint32_t code) {
        const char* name = reason_name(code);
        return name ? std::string(name) : std::string();
    };
    CHECK(named(15) == "CallManagerRestart");
    CHECK(named(19) == "EMLoginLogout");
    CHECK(named(23) == "SourceIPAddrChanged");
    CHECK(named(29) == "DeviceSwitch");
    CHECK(named(27).empty());  // not named
    Rig r;
    r.message(1, seconds(1), "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP1][IPAddress=10.1.2.3][Reason=24]: x");
    CHECK(summary(r.store.get(1, 0), r.ctx.strings) == "SEP1 syslog, reason 24 SourcePortChanged");
}

TEST_CASE("messages without a device or an address, or other alarms, are ignored") {
    Rig r;
    r.message(1, seconds(1), "EndPointUnregistered: %[Reason=13]");
    r.message(2, seconds(2), "<14>Nov 21 sshd[123]: Accepted publickey");
    CHECK(r.store.count(1) == 0);
    CHECK(r.store.count(2) == 0);
}

namespace {

// kSpecLine under the syslog header of its sender: CUCM's, or a relay's own.
std::string from_cucm(int seq, const char* stamp) {
    return "<187>" + std::to_string(seq) + ": uc-ucm-01: " + stamp + " UTC :  " + kSpecLine;
}
std::string from_relay(const char* stamp) { return std::string("<187>") + stamp + " relay01 " + kSpecLine + "\r"; }

const IpAddr kCucm = IpAddr::v4(0x0a3c010a), kRelay = IpAddr::v4(0x0a3c0114), kCollector = IpAddr::v4(0x0a3c011e);

}  // namespace

TEST_CASE("an alarm captured on both legs of a syslog relay is reported once") {
    Rig r;
    r.message(5, seconds(100), from_cucm(42, "May 09 2023 23:10:24.120"));
    r.from = kRelay;
    r.to = kCollector;
    r.message(6, seconds(100) + millis(3), from_relay("May  9 23:10:24"));
    const Annotation original = r.store.get(5, 0), copy = r.store.get(6, 0);
    CHECK(original.raised(Expert::EndpointUnregistered));
    CHECK_FALSE(original.has(Field::SyslogCopyOf));
    CHECK(copy.experts() == 0);
    CHECK(copy.get(Field::SyslogCopyOf) == 5);
    CHECK(copy.get(Field::SyslogReason) == 13);
    CHECK(copy.endpoint == original.endpoint);
    CHECK(summary(copy, r.ctx.strings) == "SEPE0D1730A8137 syslog, reason 13 KeepAliveTimeout, copy of frame 5");

    // A frame captured twice (same leg, same instant, or 60 us later on a router's next VLAN) is a
    // copy too.
    r.message(7, seconds(100) + millis(3), from_relay("May  9 23:10:24"));
    CHECK(r.store.get(7, 0).get(Field::SyslogCopyOf) == 5);
    CHECK(r.store.experts(7) == 0);
    r.message(8, seconds(100) + millis(3) + 60 * kMicrosecond, from_relay("May  9 23:10:24"));
    CHECK(r.store.get(8, 0).get(Field::SyslogCopyOf) == 5);
    CHECK(r.store.experts(8) == 0);
}

TEST_CASE("a device that unregisters again is reported again, on every leg") {
    Rig r;
    const auto leg = [&r](IpAddr from, IpAddr to) {
        r.from = from;
        r.to = to;
    };
    // Flapping: the same alarm body half a second apart, each relayed 1 ms later.
    r.message(5, seconds(100), from_cucm(42, "May 09 2023 23:10:24.120"));
    leg(kRelay, kCollector);
    r.message(6, seconds(100) + millis(1), from_relay("May  9 23:10:24"));
    leg(kCucm, kRelay);
    r.message(7, seconds(100) + millis(500), from_cucm(43, "May 09 2023 23:10:24.620"));
    leg(kRelay, kCollector);
    r.message(8, seconds(100) + millis(501), from_relay("May  9 23:10:24"));
    CHECK(r.store.experts(5) != 0);
    CHECK(r.store.get(6, 0).get(Field::SyslogCopyOf) == 5);
    CHECK(r.store.experts(7) != 0);
    CHECK_FALSE(r.store.get(7, 0).has(Field::SyslogCopyOf));
    CHECK(r.store.get(8, 0).get(Field::SyslogCopyOf) == 7);
    // Seen on the relay's outgoing leg only, a minute later: a new alarm.
    r.message(9, seconds(160), from_relay("May  9 23:11:24"));
    CHECK(r.store.experts(9) != 0);
    // Another device's alarm on another leg at the same instant is no copy.
    leg(kCucm, kRelay);
    r.message(10, seconds(160), "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP000000000001][Reason=13]: x");
    CHECK(r.store.experts(10) != 0);
}

TEST_CASE("a copy seen at another capture point is matched on one clock") {
    // Interface 1's clock runs 5.3 s ahead of interface 0's: one segment seen at both says so.
    constexpr Nanos kSkew = millis(5300);
    Rig r;
    r.segment_at_both_points(1, seconds(10), kSkew);
    r.message(5, seconds(100), kSpecLine, 0);
    r.message(6, seconds(100) + kSkew + millis(2), kSpecLine, 1);
    CHECK(r.store.get(6, 0).get(Field::SyslogCopyOf) == 5);
    // Without the offset the same gap is two alarms.
    Rig two;
    two.message(5, seconds(100), kSpecLine, 2);
    two.message(6, seconds(100) + kSkew + millis(2), kSpecLine, 3);
    CHECK(two.store.experts(6) != 0);
}

TEST_CASE("a flood of distinct alarms keeps the copy memory bounded") {
    Rig r;
    const std::size_t before = r.syslog.state_bytes();
    r.message(1, seconds(100), from_cucm(1, "May 09 2023 23:10:24.120"));
    for (std::uint32_t i = 0; i < 10000; ++i)
        r.message(2 + i, seconds(100), "EndPointUnregistered: %[DeviceName=SEP" + std::to_string(100000000 + i) + "]");
    CHECK(r.syslog.state_bytes() == before);
    // The first alarm was pushed out: its copy now counts as an alarm of its own.
    r.from = kRelay;
    r.message(20000, seconds(100) + millis(1), from_relay("May  9 23:10:24"));
    CHECK(r.store.experts(20000) != 0);
}

TEST_CASE("after a failover, the alarm of the call manager the phone left links its last keepalive there") {
    for (const bool named : {true, false}) {
        CAPTURE(named);
        Rig r;  // r.from: the first call manager, which sends the alarm
        const IpAddr phone = IpAddr::v4(0x0a3c62d2), cm2 = IpAddr::v4(0x0a3c010b);
        const std::uint32_t name = named ? r.ctx.strings.intern("SEPE0D1730A8137") : 0;
        const std::uint32_t at_cm1 = r.ctx.server_id(r.from, 2000, Transport::Tcp);
        const std::uint32_t at_cm2 = r.ctx.server_id(cm2, 2000, Transport::Tcp);
        r.ctx.directory.touch(phone, {seconds(1000), 40, name, 0, at_cm1});
        r.ctx.directory.touch(phone, {seconds(1030), 41, name, 0, at_cm1});
        r.ctx.directory.touch(phone, {seconds(1100), 60, name, 0, at_cm2});  // registered with the second
        r.ctx.directory.touch(phone, {seconds(1130), 61, name, 0, at_cm2});
        r.message(90, seconds(1135), kSpecLine);
        Annotation a = r.store.get(90, 0);
        CHECK(a.server == at_cm1);
        CHECK(a.get(Field::SyslogLastSeen) == 41);
        CHECK(a.get(Field::SyslogAge) == seconds(105));
        // The second call manager's own alarm, and one relayed (from neither): the latest keepalive.
        for (const IpAddr sender : {cm2, IpAddr::v4(0x0a3c0199)}) {
            r.from = sender;
            const std::uint32_t n = sender == cm2 ? 91 : 92;
            r.message(n, seconds(1200 + 100 * (n - 91)), kSpecLine);
            a = r.store.get(n, 0);
            CHECK(a.server == at_cm2);
            CHECK(a.get(Field::SyslogLastSeen) == 61);
        }
    }
}

TEST_CASE("syslog over TCP seen first away from its connection's home point is on the home's clock") {
    // Interface 1's clock runs 5.3 s ahead of interface 0's. The call manager's syslog connection
    // was first seen at interface 0, its home; a message's segment seen first at interface 1 (the
    // capture at 0 missed it) is moved onto interface 0's clock, as the Engine moves it.
    constexpr Nanos kSkew = millis(5300);
    Rig r;
    r.segment_at_both_points(10, seconds(1000), kSkew);
    const std::uint32_t name = r.ctx.strings.intern("SEPE0D1730A8137");
    r.ctx.directory.touch(IpAddr::v4(0x0a3c62d2), {seconds(1000), 10, name, 0});  // at interface 0
    Frame& f = r.f;
    f.clear();
    f.number = 90;
    f.time = seconds(1091);  // 91 s after the keepalive, on interface 0's clock
    f.interface_id = 1;
    f.transport = Transport::Tcp;
    f.tcp.present = true;
    f.tcp.home = 0;
    f.src_ip = r.from;
    f.dst_ip = r.to;
    f.src_port = 49152;
    f.dst_port = 514;
    f.syslog.push_back(kSpecLine);
    r.ctx.sink.begin_frame(90);
    r.syslog.on_frame(f);
    CHECK(r.store.get(90, 0).get(Field::SyslogAge) == seconds(91));
    // The relay's copy over UDP at interface 1, 2 ms later on its clock: one alarm.
    r.from = IpAddr::v4(0x0a3c0114);
    r.to = IpAddr::v4(0x0a3c0199);
    r.message(91, seconds(1091) + kSkew + millis(2), kSpecLine, 1);
    CHECK(r.store.get(91, 0).get(Field::SyslogCopyOf) == 90);
}
