// SPDX-License-Identifier: GPL-2.0-or-later
// Catch2 v2 generates main() here; v3 links it from Catch2::Catch2WithMain (tests/CMakeLists.txt).
#if !__has_include(<catch2/catch_all.hpp>)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
