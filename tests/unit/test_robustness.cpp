// Bounded state under floods (issue 7): what one misbehaving address can make the engine keep.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <cstdint>
#include <string>

#include "core/engine.h"

using namespace ka;

namespace {

// REGISTER n of a phone in a reboot loop: same address, AOR and Contact, a new Call-ID each time,
// never answered (the bad-callid-flood scenario).
void flood_register(Engine& engine, Frame& f, std::uint32_t n, std::string& call_id) {
    static const std::string_view kParams[] = {"+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-002414370066>\"",
                                               "+u.sip!devicename.ccm.cisco.com=\"SEP002414370066\""};
    f.clear();
    f.number = n + 1;
    f.time = seconds(1684170000) + millis(n);
    f.has_eth = true;
    f.eth_src = 0x002414370066;
    f.eth_dst = 0x005056370001;
    f.src_ip = IpAddr::v4(0x0a250042);
    f.dst_ip = IpAddr::v4(0x0a250001);
    f.transport = Transport::Udp;
    f.src_port = f.dst_port = 5060;
    call_id = "flood-" + std::to_string(n) + "@10.37.0.66";
    SipMessage m;
    m.is_request = true;
    m.method = "REGISTER";
    m.call_id = call_id;
    m.cseq = 1;
    m.cseq_method = "REGISTER";
    m.has_expires = true;
    m.expires = 3600;
    m.to_addr = "sip:4666@10.37.0.1";
    m.contact_count = 1;
    f.sip.push_back(m);
    SipContact c;
    c.uri = "sip:4666@10.37.0.66:5060";
    c.param_count = 2;
    f.contacts.push_back(c);
    f.contact_params.assign(std::begin(kParams), std::end(kParams));
    engine.process(f);
}

}  // namespace

TEST_CASE("a flood of 100000 Call-IDs from one address keeps the analysis state bounded") {
    Engine engine{Config{}};
    Frame f;
    std::string call_id;
    std::uint32_t n = 0;
    for (; n < 10000; ++n) flood_register(engine, f, n, call_id);
    const std::size_t after_10k = engine.state_bytes();
    for (; n < 100000; ++n) flood_register(engine, f, n, call_id);
    const std::size_t after_100k = engine.state_bytes();
    INFO("state after 10,000 REGISTERs: " << after_10k << " bytes, after 100,000: " << after_100k);
    // 90,000 more Call-IDs may not cost more than a few bytes each on average: whatever is kept per
    // transaction must be capped and evicted, not accumulated.
    CHECK(after_100k < after_10k + 90000 * 8);
    CHECK(after_100k < 4u << 20);
}
