// Tests for glassbox/core/bytes.hpp: sizes read with their suffixes, and written for messages.
#include <catch2/catch.hpp>

#include "glassbox/core/bytes.hpp"

using namespace glassbox;

TEST_CASE("parse_bytes reads bytes, decimal and binary suffixes", "[bytes]") {
  CHECK(parse_bytes("0") == 0u);
  CHECK(parse_bytes("1234") == 1234u);
  CHECK(parse_bytes("1234B") == 1234u);
  CHECK(parse_bytes("10K") == 10'000u);
  CHECK(parse_bytes("10k") == 10'000u);
  CHECK(parse_bytes("500M") == 500'000'000u);
  CHECK(parse_bytes("2G") == 2'000'000'000u);
  CHECK(parse_bytes("2GB") == 2'000'000'000u);
  CHECK(parse_bytes("3T") == 3'000'000'000'000u);
  CHECK(parse_bytes("8Gi") == 8ull << 30);
  CHECK(parse_bytes("8GiB") == 8ull << 30);
  CHECK(parse_bytes("1Ki") == 1024u);
}

TEST_CASE("parse_bytes refuses what is not a size", "[bytes]") {
  for (const char* bad : {"", "G", "-1", "+1", "1.5G", "1 G", "1X", "1i", "1iB", "1GG", "1Gb", " 1",
                          "18446744073709551616", "20000000T"})
    CHECK_FALSE(parse_bytes(bad).has_value());
}

TEST_CASE("format_bytes writes three significant digits in decimal units", "[bytes]") {
  CHECK(format_bytes(0) == "0 bytes");
  CHECK(format_bytes(950) == "950 bytes");
  CHECK(format_bytes(12'345) == "12.3 kB");
  CHECK(format_bytes(1e9) == "1 GB");
  CHECK(format_bytes(3.4e9) == "3.4 GB");
  CHECK(format_bytes(12.3e9) == "12.3 GB");
  CHECK(format_bytes(999'999) == "1 MB");
  CHECK(format_bytes(8.0 * (1ull << 30)) == "8.59 GB");
}
