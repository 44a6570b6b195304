// glassbox/data/csv.cpp — an RFC 4180 reader that keeps every field's line and column.
#include "glassbox/data/csv.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/file.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

std::string CsvTable::where(std::size_t line, std::size_t column) const {
  return fmt::format("{}:{}:{}", source, line, column);
}

namespace {

// Walks the text one byte at a time, keeping the line and column of the next character.
class Cursor {
public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return text_[pos_]; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

  // A line ends at LF, or at CR followed by LF (or by the end of the text).
  bool at_line_end() const noexcept {
    if (at_end()) return false;
    if (text_[pos_] == '\n') return true;
    return text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
  }

  void skip(std::size_t bytes) { pos_ += bytes; }

  char take() {
    const char ch = text_[pos_++];
    if (ch == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
      ++column_;  // UTF-8 continuation bytes (10xxxxxx) do not start a new character
    }
    return ch;
  }

  void take_line_end() {
    if (!at_end() && peek() == '\r') take();
    if (!at_end() && peek() == '\n') take();
  }

  // Whether the rest of the current line is empty or only spaces and tabs.
  bool line_is_blank() const noexcept {
    for (std::size_t p = pos_; p < text_.size(); ++p) {
      const char ch = text_[p];
      if (ch == '\n' || (ch == '\r' && (p + 1 == text_.size() || text_[p + 1] == '\n'))) return true;
      if (ch != ' ' && ch != '\t') return false;
    }
    return true;
  }

  void skip_line() {
    while (!at_end() && !at_line_end()) take();
    take_line_end();
  }

private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

// The power of ten of a decimal number's first significant digit, as written ("123.4e5" → 7,
// "0.001" → -3); the text is one that from_chars read to its end.
long decimal_exponent(std::string_view number) {
  std::size_t i = 0;
  if (i < number.size() && number[i] == '-') ++i;
  long integer_digits = 0, leading_zeros = 0;  // before the point; zeros after it before a digit
  bool significant = false;
  for (; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i)
    if (significant || number[i] != '0') significant = true, ++integer_digits;
  if (i < number.size() && number[i] == '.')
    for (++i; i < number.size() && std::isdigit(static_cast<unsigned char>(number[i])); ++i) {
      if (significant || number[i] != '0') significant = true;
      else ++leading_zeros;
    }
  long exponent = 0;
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    // Clamp: an exponent of a thousand digits is still "too large" or "too small".
    const std::string_view written = number.substr(i + 1);
    const bool negative = !written.empty() && written[0] == '-';
    for (char c : written)
      if (std::isdigit(static_cast<unsigned char>(c))) exponent = std::min(exponent * 10 + (c - '0'), 100000L);
    if (negative) exponent = -exponent;
  }
  return integer_digits > 0 ? exponent + integer_digits - 1 : exponent - leading_zeros - 1;
}

std::string shown(char ch) {
  if (ch == '\t') return "a tab";
  if (ch == '\r') return "a carriage return";
  return fmt::format("'{}'", ch);
}

}  // namespace

CsvTable parse_csv(std::string_view text, std::string source) {
  CsvTable table;
  table.source = std::move(source);
  Cursor in(text);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") in.skip(3);  // the UTF-8 byte-order mark

  auto fail = [&](std::size_t line, std::size_t column, const std::string& what) {
    throw InputError(fmt::format("{}: {}", table.where(line, column), what));
  };

  std::vector<CsvRecord> records;
  std::size_t blank_line = 0;  // the first blank line seen after a record, if any
  while (!in.at_end()) {
    if (in.line_is_blank()) {
      if (blank_line == 0 && !records.empty()) blank_line = in.line();
      in.skip_line();
      continue;
    }
    if (blank_line != 0)
      fail(blank_line, 1, "a blank line between records; expected a record on every line (blank lines may only "
                          "end the file)");
    CsvRecord record;
    record.line = in.line();
    for (;;) {
      CsvField field;
      field.line = in.line();
      field.column = in.column();
      if (!in.at_end() && in.peek() == '"') {
        in.take();
        for (;;) {
          if (in.at_end())
            fail(field.line, field.column, "a quoted field is never closed (the closing \" is missing)");
          const char ch = in.take();
          if (ch != '"') {
            field.text += ch;
          } else if (!in.at_end() && in.peek() == '"') {
            in.take();
            field.text += '"';
          } else {
            break;
          }
        }
        if (!in.at_end() && in.peek() != ',' && !in.at_line_end())
          fail(in.line(), in.column(),
               fmt::format("expected ',' or the end of the line after the closing quote, found {}", shown(in.peek())));
      } else {
        while (!in.at_end() && in.peek() != ',' && !in.at_line_end()) {
          if (in.peek() == '"')
            fail(in.line(), in.column(),
                 "a quote inside an unquoted field; put the whole field in quotes and write the quote as \"\"");
          field.text += in.take();
        }
      }
      record.fields.push_back(std::move(field));
      if (in.at_end() || in.peek() != ',') break;
      in.take();  // the comma; a field follows, perhaps empty
    }
    record.end_line = in.line();
    record.end_column = in.column();
    in.take_line_end();
    records.push_back(std::move(record));
  }

  if (records.empty())
    throw InputError(fmt::format("{}: the file is empty; expected a header line naming the columns", table.source));
  table.header = std::move(records.front());
  const std::size_t n = table.header.fields.size();
  std::vector<std::string> header;
  for (const auto& f : table.header.fields) header.push_back(f.text);
  const std::string names = list_some(header, 20, ",");  // the header, for messages
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    const std::size_t k = record.fields.size();
    if (k < n) {
      fail(record.end_line, record.end_column,
           fmt::format("expected {} fields ({}), found {}: {} missing", n, names, k,
                       n - k == 1 ? std::string("a field is") : fmt::format("{} fields are", n - k)));
    }
    if (k > n) {
      const CsvField& extra = record.fields[n];
      fail(extra.line, extra.column,
           fmt::format("expected {} fields ({}), found {}: an extra field \"{}\"", n, names, k, clip(extra.text)));
    }
  }
  table.records.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return table;
}

CsvTable read_csv(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: is a folder, not a CSV file", path.string()));
  return parse_csv(read_file_at_most(path, max_bytes, "a CSV file"), path.string());
}

CsvNumber csv_number(std::string_view field) {
  std::string_view text = field;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  CsvNumber out;
  if (text.empty()) {
    out.problem = "expected a number, found an empty field";
    return out;
  }
  const auto not_a_number = [&] {
    out.problem = fmt::format("expected a number, found \"{}\"", clip(field));
    return out;
  };
  // from_chars reads C's syntax less the leading +: skip one, if a digit or a point follows.
  std::string_view digits = text;
  const auto digit_or_point = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; };
  if (digits.size() > 1 && digits[0] == '+' && digit_or_point(digits[1])) digits.remove_prefix(1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.value);
  if (end != digits.data() + digits.size()) return not_a_number();
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value alone for both overflow and underflow: tell them apart by the
    // decimal exponent of the first significant digit.
    if (decimal_exponent(digits) > 0) {
      out.problem = fmt::format("\"{}\" is out of range (a double holds at most ±1.8e308)", clip(text));
      return out;
    }
    out.value = digits[0] == '-' ? -0.0 : 0.0;  // nearer 0 than the smallest subnormal, as strtod rounds it
    return out;
  }
  if (ec != std::errc() || !std::isfinite(out.value)) return not_a_number();  // nan, inf
  return out;
}

}  // namespace glassbox
