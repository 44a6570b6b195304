// glassbox/data/csv.cpp — an RFC 4180 reader that keeps every field's line and column.
#include "glassbox/data/csv.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

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
  std::string names;  // the header, for messages
  for (const auto& f : table.header.fields) names += (names.empty() ? "" : ",") + f.text;
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
           fmt::format("expected {} fields ({}), found {}: an extra field \"{}\"", n, names, k, extra.text));
    }
  }
  table.records.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: is a folder, not a CSV file", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(fmt::format("{}: cannot open the file: {}", path.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("{}: reading the file failed", path.string()));
  return parse_csv(text.str(), path.string());
}

}  // namespace glassbox
