// glassbox/core/bytes.hpp — sizes in bytes, as people write them: "500M", "2G", "1.5 GB".
//
// Used by the limits on what a run may write (a trace's size, trace.hpp) and allocate (an
// experiment's network and data, experiment.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glassbox {

// A whole number of bytes with an optional suffix: K, M, G, T (powers of 1000: "500M" is
// 500,000,000) or Ki, Mi, Gi, Ti (powers of 1024: "8Gi" is 8,589,934,592), either followed by an
// optional "B" ("2GB", "8GiB"); no suffix or "B" alone means bytes. Nothing else is allowed (no
// sign, no spaces, no fractions); nullopt for text that is not such a size or that overflows.
std::optional<std::uint64_t> parse_bytes(std::string_view text);

// A size for messages, in decimal units with three significant digits: "950 bytes", "12.3 kB",
// "1 GB", "3.4 GB" ("1 GB" is 10⁹ bytes, as parse_bytes reads "1G").
std::string format_bytes(double bytes);

}  // namespace glassbox
