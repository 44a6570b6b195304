// fuzz/fuzz_csv.cpp — the CSV reader (data/csv.hpp).
//
// Feeds: the input bytes as the text of a CSV file, to parse_csv().
// Expected rejection: InputError (malformed CSV, with a file:line:column), as fuzz.hpp lists.
// Finding: any other exception, a crash, a sanitizer report, a hang; or a table that breaks the
// reader's promises — a record with more or fewer fields than the header, a field or record whose
// line and column are not within the text, records out of order, or a table that, written back
// with every field quoted, does not read back as the same fields.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "glassbox/data/csv.hpp"

#include "fuzz.hpp"

using namespace glassbox;

namespace {

// The table as CSV with every field in quotes ("" for "), one record per line.
std::string quoted(const CsvTable& table) {
  std::string out;
  const auto record = [&](const CsvRecord& r) {
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
      out += i == 0 ? "\"" : ",\"";
      for (char c : r.fields[i].text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    out += '\n';
  };
  record(table.header);
  for (const CsvRecord& r : table.records) record(r);
  return out;
}

void check_positions(const CsvRecord& r, std::size_t lines, std::size_t previous_end) {
  if (r.line < 1 || r.line > lines || r.end_line < r.line || r.end_line > lines)
    fuzz::finding("a record's lines are outside the text");
  if (r.line <= previous_end && previous_end != 0) fuzz::finding("a record starts before the previous one ends");
  std::size_t line = r.line;
  for (const CsvField& f : r.fields) {
    if (f.line < line || f.line > r.end_line || f.column < 1) fuzz::finding("a field's position is outside its record");
    line = f.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CsvTable table;
  if (!fuzz::accepted([&] { table = parse_csv(text, "fuzz.csv"); })) return 0;

  const std::size_t lines = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (table.columns() == 0) fuzz::finding("a table without columns");
  check_positions(table.header, lines, 0);
  std::size_t end = table.header.end_line;
  for (const CsvRecord& r : table.records) {
    if (r.fields.size() != table.columns()) fuzz::finding("a record whose field count differs from the header's");
    check_positions(r, lines, end);
    end = r.end_line;
  }

  CsvTable again;
  try {
    again = parse_csv(quoted(table), "quoted.csv");
  } catch (const std::exception& e) {
    fuzz::finding(std::string("the table written back with quotes does not read: ") + e.what());
  }
  if (again.records.size() != table.records.size() || again.columns() != table.columns())
    fuzz::finding("the table written back with quotes reads back with another shape");
  const auto same = [](const CsvRecord& a, const CsvRecord& b) {
    for (std::size_t i = 0; i < a.fields.size(); ++i)
      if (a.fields[i].text != b.fields[i].text) return false;
    return true;
  };
  if (!same(table.header, again.header)) fuzz::finding("the header written back with quotes reads differently");
  for (std::size_t r = 0; r < table.records.size(); ++r)
    if (!same(table.records[r], again.records[r])) fuzz::finding("a record written back with quotes reads differently");
  return 0;
}
