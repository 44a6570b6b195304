// glassbox/io/spec.cpp — typed reads of JSON specs, and JSON files read with located errors.
#include "glassbox/io/spec.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"

namespace glassbox {

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::string: return "the string " + value.dump();
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
  const std::string names = fmt::format("{}", fmt::join(known, ", "));
  if (!value_->is_string())
    fail_expected(what.empty() ? fmt::format("one of {}", names) : fmt::format("the name of {} ({})", what, names));
  const std::string& name = value_->get_ref<const std::string&>();
  if (std::find(known.begin(), known.end(), name) != known.end()) return name;
  std::string detail = fmt::format("unknown {}", value_->dump());
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
    throw SpecError(value.child_path(item.key()),
                    fmt::format("{}; known keys: {}", detail, fmt::join(known, ", ")));
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

// Watches the parser's events to refuse a key given twice in one object, which JSON parsers
// otherwise resolve silently (the last one wins): {"epochs": 10, …, "epochs": 100}.
class DuplicateKeys {
public:
  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start: frames_.emplace_back(false); break;
      case Json::parse_event_t::array_start: frames_.emplace_back(true); break;
      case Json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (std::find(f.keys.begin(), f.keys.end(), f.key) != f.keys.end()) throw SpecError(path(), "given twice");
        f.keys.push_back(f.key);
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case Json::parse_event_t::value: element_done(); break;
    }
    return true;
  }

private:
  struct Frame {
    explicit Frame(bool is_array) : array(is_array) {}
    bool array = false;
    std::size_t index = 0;          // arrays: the element being read
    std::string key;                // objects: the key being read
    std::vector<std::string> keys;  // objects: the keys so far
  };
  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_)
      p += f.array ? fmt::format("[{}]", f.index) : (p.empty() ? f.key : "." + f.key);
    return p;
  }
  std::vector<Frame> frames_;
};

}  // namespace

Json parse_json_text(std::string_view text, std::string_view source) {
  try {
    return Json::parse(text, DuplicateKeys{});
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based position of the last byte read: the end of the token the parser
    // stopped at. The location shown is where that token starts ("b" in `"a": 1 "b": 2`).
    std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
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
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;  // a UTF-8 continuation byte does not start a character
      }
    }
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 17: what"
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) {
      what = what.substr(p);
      if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    }
    throw InputError(fmt::format("{}:{}:{}: invalid JSON: {}", source, line, column, what));
  }
}

Json read_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: is a folder, not a JSON file", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the file: {}", path.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("{}: cannot read the file", path.string()));
  return parse_json_text(text.str(), path.string());
}

}  // namespace glassbox
