// The byte-set search under the SIP parser: the same answer a byte at a time would give, wherever
// the range starts and ends relative to its 16-byte blocks.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <string>

#include "core/byte_set.h"

using namespace ka;

namespace {

using Sep = ByteSet<',', ';'>;

std::size_t naive(const std::string& s, std::size_t from, std::size_t end) {
    while (from < end && s[from] != ',' && s[from] != ';') ++from;
    return from;
}

}  // namespace

TEST_CASE("byte set: first hit in [from, end)") {
    const std::string s = "abcdefghijklmnopqrstuvwxyz0123456789;ABCDEFGHIJKLMNOPQRSTUVWXYZ,abc";
    for (std::size_t from = 0; from <= s.size(); ++from)
        for (std::size_t end = from; end <= s.size(); ++end) {
            INFO("from " << from << " end " << end);
            REQUIRE(Sep::first(s.data(), from, end) == naive(s, from, end));
        }
}

TEST_CASE("byte set: a hit at the end of the range is outside it") {
    const std::string s = "0123456789abcde;0123456789abcdef";
    CHECK(Sep::first(s.data(), 0, 15) == 15);
    CHECK(Sep::first(s.data(), 0, 16) == 15);
    CHECK(Sep::first(s.data(), 16, 32) == 32);
    CHECK(ByteSet<'\r', '\n'>::has('\n'));
    CHECK_FALSE(ByteSet<'\r', '\n'>::has(' '));
}
