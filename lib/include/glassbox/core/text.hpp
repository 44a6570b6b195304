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

// The position of the first byte of `text` that is not part of valid UTF-8 (a stray byte, a
// sequence cut short, an overlong form, a surrogate, a code point above U+10FFFF), or nothing when
// all of it is valid. JSON text is UTF-8: a string that is not cannot go into a trace or a spec.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

// Columns of text count characters, not bytes ("→", "×", "σ" are one column each).
std::size_t display_width(const std::string& utf8);

// Messages quote what a file or a spec gave, which may be megabytes long; these keep a message to a
// few lines and still say how much was left out.
//
// `text` if it has at most `most` characters, else its first `most` characters and "…".
std::string clip(std::string_view text, std::size_t most = 40);
// The names joined by `separator`, each clipped: at most `most` of them, then "… and N more":
// "epochs, batch_size, shuffle" or "column_0, column_1, …, column_19, … and 99980 more".
std::string list_some(const std::vector<std::string>& names, std::size_t most = 20,
                      std::string_view separator = ", ");

}  // namespace glassbox
