// libFuzzer target: arbitrary frame sequences (SIP, SKINNY, ARP, syslog, TCP facts, odd clocks)
// through the engine, then everything the plugin reads back on display. See fuzz_input.h.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "read_back.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kafuzz::Reader r(data, size);
    ka::Engine engine(kafuzz::read_config(r));
    ka::Frame frame;
    ka::Nanos time = kafuzz::kStart;
    std::uint32_t number = 0;
    volatile std::size_t sink = 0;
    while (!r.done() && number < 4096) {
        kafuzz::read_frame(r, ++number, time, frame);
        engine.process(frame);
        sink = sink + kafuzz::read_back(engine, number);
    }
    // A second pass (tshark -2, the GUI) reads the cache again in any order.
    for (std::uint32_t n = number; n > 0; --n) sink = sink + kafuzz::read_back(engine, n);
    sink = sink + engine.state_bytes() + engine.cache_bytes();
    return 0;
}
