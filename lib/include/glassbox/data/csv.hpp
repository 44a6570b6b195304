// glassbox/data/csv.hpp — reading comma-separated values, with errors that say where.
//
// The dialect is RFC 4180's, read leniently where that is harmless:
//   - the first record is the header: one name per column;
//   - fields are separated by commas; a field in double quotes may hold commas, line breaks and
//     doubled quotes ("" stands for one ");
//   - lines end in LF or CRLF; a UTF-8 byte-order mark at the start is skipped;
//   - blank lines at the end of the file are ignored; a blank line between records is an error.
// Every record must have as many fields as the header.
//
// Every field remembers where it starts (line and column, both from 1; columns count characters,
// not bytes), so that whoever interprets the table can report "iris.csv:7:18: …" like a compiler.
// Malformed input throws InputError with such a location and what was expected there; a message
// lists at most 20 column names and clips a long field.
//
// A file is read whole, so read_csv() refuses one larger than 256 MiB (MNIST's 60000 training
// images as CSV are about 110 MB), and /dev/zero or an endless pipe one byte past that.
//
// Numbers (csv_number): decimal, as C's strtod reads them, with an optional sign (+1 is common in
// exported data), fraction and exponent: 3, -0.5, +1, .5, 1e-3, 2.5E+4; spaces and tabs around
// them are ignored. A number too large for a double (1e400, beyond ±1.8e308) is an error "out of
// range"; one too small to tell from 0 (1e-400) is read as the nearest double, 0 or a subnormal,
// as strtod reads it. NaN, Inf, hexadecimal and a decimal comma are not numbers here.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace glassbox {

struct CsvField {
  std::string text;     // the value, quotes removed and "" turned into "
  std::size_t line = 0;    // where the field starts
  std::size_t column = 0;
};

struct CsvRecord {
  std::vector<CsvField> fields;
  std::size_t line = 0;        // the line the record starts on
  std::size_t end_line = 0;    // where the record's last character is (a quoted field may span lines)
  std::size_t end_column = 0;  // the column just past the record's last character
};

struct CsvTable {
  std::string source;               // the file name (or a label for text), for messages
  CsvRecord header;                 // the column names
  std::vector<CsvRecord> records;   // the data, in file order

  std::size_t columns() const noexcept { return header.fields.size(); }
  // "source:line:column", as compilers write locations.
  std::string where(std::size_t line, std::size_t column) const;
  std::string where(const CsvField& field) const { return where(field.line, field.column); }
};

// Parses CSV text; `source` names it in messages.
CsvTable parse_csv(std::string_view text, std::string source);

inline constexpr std::size_t max_csv_bytes = 256 * 1024 * 1024;  // 256 MiB

// Reads and parses a file. A file that cannot be opened, is empty or is larger than `max_bytes`
// throws InputError naming it.
CsvTable read_csv(const std::filesystem::path& path, std::size_t max_bytes = max_csv_bytes);

// A field read as a number (the rules above). On failure `problem` says why, for a message that
// adds where and which column: "expected a number, found \"abc\"", "\"1e400\" is out of range (…)".
struct CsvNumber {
  double value = 0;
  std::string problem;  // empty when the field is a number
};
CsvNumber csv_number(std::string_view field);

}  // namespace glassbox
