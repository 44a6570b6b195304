// glassbox/io/spec.cpp — typed reads of JSON specs, and JSON files read with located errors.
#include "glassbox/io/spec.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "glassbox/core/file.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::string: return "the string " + Json(clip(value.get_ref<const std::string&>())).dump();
    case Json::value_t::array:
      return value.empty() ? "an empty array" : fmt::format("an array of {}", value.size());
    case Json::value_t::object: return value.empty() ? "an empty object" : "an object";
    default: return value.dump();  // numbers as written back: 3, -0.5, 1e-05
  }
}

// ---- SpecValue ----------------------------------------------------------------------------------

std::string SpecValue::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

std::string SpecValue::child_path(std::size_t index) const { return fmt::format("{}[{}]", path_, index); }

void SpecValue::fail(std::string detail) const { throw SpecError(path_, std::move(detail)); }

void SpecValue::fail_expected(std::string_view expected) const {
  fail(fmt::format("expected {}, got {}", expected, describe_json(*value_)));
}

double SpecValue::number() const {
  if (!value_->is_number()) fail_expected("a number");
  return value_->get<double>();
}

double SpecValue::positive_number() const {
  if (!value_->is_number() || !(value_->get<double>() > 0)) fail_expected("a number > 0");
  return value_->get<double>();
}

double SpecValue::number_in(double low, double high) const {
  const std::string expected = fmt::format("a number from {} to {}", low, high);
  if (!value_->is_number()) fail_expected(expected);
  const double x = value_->get<double>();
  if (!(x >= low && x <= high)) fail_expected(expected);
  return x;
}

std::uint64_t SpecValue::whole(std::uint64_t min, std::uint64_t max) const {
  const std::string expected = max == UINT64_MAX ? fmt::format("a whole number ≥ {}", min)
                                                 : fmt::format("a whole number from {} to {}", min, max);
  std::uint64_t x = 0;
  if (value_->is_number_unsigned()) {
    x = value_->get<std::uint64_t>();
  } else if (value_->is_number_integer()) {
    if (value_->get<std::int64_t>() < 0) fail_expected(expected);
    x = static_cast<std::uint64_t>(value_->get<std::int64_t>());
  } else if (value_->is_number_float()) {
    // 3.0 and 1e3 are whole numbers too; 2.5 and -1.0 are not.
    const double d = value_->get<double>();
    if (!(d >= 0 && d < 18446744073709551616.0 && d == std::floor(d))) fail_expected(expected);
    x = static_cast<std::uint64_t>(d);
  } else {
    fail_expected(expected);  // negative integers, strings, …
  }
  if (x < min || x > max) fail_expected(expected);
  return x;
}

bool SpecValue::boolean() const {
  if (!value_->is_boolean()) fail_expected("true or false");
  return value_->get<bool>();
}

std::string SpecValue::string() const {
  if (!value_->is_string() || value_->get_ref<const std::string&>().empty()) fail_expected("a non-empty string");
  return value_->get<std::string>();
}

std::string SpecValue::choice(const std::vector<std::string>& known, std::string_view what) const {
  const std::string names = list_some(known);
  if (!value_->is_string())
    fail_expected(what.empty() ? fmt::format("one of {}", names) : fmt::format("the name of {} ({})", what, names));
  const std::string& name = value_->get_ref<const std::string&>();
  if (std::find(known.begin(), known.end(), name) != known.end()) return name;
  std::string detail = fmt::format("unknown {}", Json(clip(name)).dump());
  if (auto best = did_you_mean(name, known)) detail += fmt::format(" (did you mean \"{}\"?)", *best);
  fail(detail + "; known: " + names);
}

std::vector<SpecValue> SpecValue::array(std::size_t min_size) const {
  if (!value_->is_array() || value_->size() < min_size)
    fail_expected(min_size == 0   ? std::string("an array")
                  : min_size == 1 ? std::string("a non-empty array")
                                  : fmt::format("an array of at least {}", min_size));
  std::vector<SpecValue> items;
  items.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) items.emplace_back((*value_)[i], child_path(i));
  return items;
}

std::vector<double> SpecValue::numbers() const {
  std::vector<double> out;
  for (const SpecValue& item : array()) out.push_back(item.number());
  return out;
}

SpecObject SpecValue::object(std::vector<std::string> known) const { return SpecObject(*this, std::move(known)); }

// ---- SpecObject ---------------------------------------------------------------------------------

SpecObject::SpecObject(const SpecValue& value, std::vector<std::string> known) : value_(value) {
  if (!value.json().is_object()) value.fail_expected("an object");
  for (const auto& item : value.json().items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    std::string detail = "unknown key";
    if (auto best = did_you_mean(item.key(), known)) detail += fmt::format(" (did you mean \"{}\"?)", *best);
    throw SpecError(value.child_path(clip(item.key())), fmt::format("{}; known keys: {}", detail, list_some(known)));
  }
}

bool SpecObject::has(std::string_view key) const { return value_.json().contains(key); }

SpecValue SpecObject::required(std::string_view key, std::string_view expected) const {
  if (!has(key)) throw SpecError(value_.child_path(key), fmt::format("missing; expected {}", expected));
  return SpecValue(value_.json().at(std::string(key)), value_.child_path(key));
}

std::optional<SpecValue> SpecObject::optional(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return SpecValue(value_.json().at(std::string(key)), value_.child_path(key));
}

// ---- JSON files ---------------------------------------------------------------------------------

namespace {

// Line and column (both from 1; columns count characters, not bytes) of the byte at `offset`.
std::string where(std::string_view text, std::string_view source, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // a UTF-8 continuation byte does not start a character
    }
  }
  return fmt::format("{}:{}:{}", source, line, column);
}

// Where the token starts that the parser stopped at ("b" in `"a": 1 "b": 2`, "1e400"): `byte` is the
// 1-based position of the last byte it read, the end of that token.
std::size_t token_start(std::string_view text, std::size_t byte) {
  std::size_t end = std::min<std::size_t>(byte == 0 ? 0 : byte - 1, text.size());
  const auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
  };
  if (end < text.size() && text[end] == '"' && end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && !(text[start] == '"' && text[start - 1] != '\\')) --start;
    if (text[start] == '"') end = start;
  } else if (end < text.size() && word(text[end])) {
    while (end > 0 && word(text[end - 1])) --end;
  }
  return end;
}

// The first [ or { outside strings at depth `depth` (the top-level value is at depth 1).
std::size_t bracket_at_depth(std::string_view text, std::size_t depth) {
  std::size_t level = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character, " or \ included
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++level == depth) return i;
    } else if ((c == ']' || c == '}') && level > 0) {
      --level;
    }
  }
  return text.size();
}

// Builds the document from the parser's events (nlohmann's SAX interface), checking as it goes:
//   - a key given twice in one object, which JSON parsers otherwise resolve silently (the last one
//     wins): {"epochs": 10, …, "epochs": 100};
//   - nesting deeper than max_json_depth, which would exhaust the stack of code that walks the
//     document recursively (copying, comparing and writing it);
//   - a number beyond a double's range (1e400), which the parser reports as out_of_range 406.
// An object is built once, at its end, from its members in order, and its keys are checked with a
// hash set: inserting members one by one into the ordered object would search the keys so far for
// each, which takes minutes for 100000 keys. So reading takes time in proportion to the text.
class SpecBuilder {
public:
  SpecBuilder(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Json result;

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool b) { return add(Json(b)); }
  bool number_integer(Json::number_integer_t x) { return add(Json(x)); }
  bool number_unsigned(Json::number_unsigned_t x) { return add(Json(x)); }
  bool number_float(Json::number_float_t x, const std::string& /*as written*/) { return add(Json(x)); }
  bool string(std::string& s) { return add(Json(std::move(s))); }
  bool binary(Json::binary_t& b) { return add(Json::binary(std::move(b))); }

  bool start_object(std::size_t /*unknown size*/) { return open(false); }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(std::move(k)).second) throw SpecError(path(), "given twice");
    return true;
  }
  bool end_object() {
    Frame f = close();
    Json object(Json::value_t::object);
    object.get_ref<Json::object_t&>() =
        Json::object_t(std::make_move_iterator(f.members.begin()), std::make_move_iterator(f.members.end()));
    return add(std::move(object));
  }
  bool start_array(std::size_t /*unknown size*/) { return open(true); }
  bool end_array() {
    Frame f = close();
    Json array(Json::value_t::array);
    array.get_ref<Json::array_t&>() = std::move(f.elements);
    return add(std::move(array));
  }

  bool parse_error(std::size_t byte, const std::string& token, const Json::exception& e) {
    const std::string at = where(text_, source_, token_start(text_, byte));
    if (e.id == 406)
      throw InputError(fmt::format("{}: number out of range: {} (a double holds at most ±1.8e308)", at, clip(token)));
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 17: what"
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) {
      what = what.substr(p);
      if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    }
    throw InputError(fmt::format("{}: invalid JSON: {}", at, what));
  }

private:
  struct Frame {
    bool array = false;
    std::vector<Json> elements;                           // arrays: the elements so far
    std::vector<std::pair<std::string, Json>> members;  // objects: the members so far, in order
    std::unordered_set<std::string> keys;                 // objects: their keys
    std::string key;                                      // objects: the key being read
  };

  bool open(bool array) {
    if (frames_.size() == max_json_depth)
      throw InputError(fmt::format("{}: nesting deeper than {} levels (objects and arrays within each other)",
                                   where(text_, source_, bracket_at_depth(text_, max_json_depth + 1)),
                                   max_json_depth));
    frames_.emplace_back().array = array;
    return true;
  }
  Frame close() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    return f;
  }
  bool add(Json value) {
    if (frames_.empty()) {
      result = std::move(value);
    } else if (Frame& f = frames_.back(); f.array) {
      f.elements.push_back(std::move(value));
    } else {
      f.members.emplace_back(std::move(f.key), std::move(value));
    }
    return true;
  }
  // The JSON path of the value being read: "training.epochs", "l[2].u".
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_)
      p += f.array ? fmt::format("[{}]", f.elements.size()) : (p.empty() ? "" : ".") + clip(f.key);
    return p;
  }

  std::string_view text_, source_;
  std::vector<Frame> frames_;
};

}  // namespace

Json parse_json_text(std::string_view text, std::string_view source) {
  SpecBuilder builder(text, source);
  Json::sax_parse(text, &builder);  // the builder throws for every error
  return std::move(builder.result);
}

Json read_json_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: is a folder, not a JSON file", path.string()));
  return parse_json_text(read_file_at_most(path, max_bytes, "a spec"), path.string());
}

}  // namespace glassbox
