// Catch2 as the distribution ships it: v2's single header (Debian bookworm) or v3's (trixie on).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
