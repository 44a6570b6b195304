// glassbox/core/text.hpp — small helpers for text that people read: messages and aligned columns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glassbox {

// The word in `known` closest to `word` in edit distance, if one is close enough to be a likely
// typo (fewer than 3 edits): for "did you mean --seed?" and "did you mean \"epochs\"?".
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& known);

// Columns of text count characters, not bytes ("→", "×", "σ" are one column each).
std::size_t display_width(const std::string& utf8);

}  // namespace glassbox
