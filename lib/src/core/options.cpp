// glassbox/core/options.cpp — reading settings from JSON objects.
#include "glassbox/core/options.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"

namespace glassbox {

namespace {

// A value as a message quotes it: as JSON, clipped to 40 characters (an option may be megabytes).
std::string shown(const Json& value) { return clip(value.dump()); }

const Json* find(const Json& options, std::string_view key) {
  if (options.is_null() || !options.is_object()) return nullptr;
  const auto it = options.find(std::string(key));
  return it == options.end() ? nullptr : &*it;
}

}  // namespace

void require_known_keys(const Json& options, std::string_view owner, std::initializer_list<std::string_view> known) {
  if (options.is_null()) return;
  if (!options.is_object())
    throw InputError(fmt::format("{}: options must be a JSON object, got {}", owner, shown(options)));
  for (const auto& item : options.items())
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
      throw InputError(known.size() == 0
                           ? fmt::format("{}: takes no options, got \"{}\"", owner, item.key())
                           : fmt::format("{}: unknown option \"{}\" (known: {})", owner, item.key(),
                                         fmt::join(known, ", ")));
}

void require_no_options(const Json& options, std::string_view owner) {
  if (!options.is_null() && !options.empty())
    throw InputError(fmt::format("{}: takes no options, got {}", owner, shown(options)));
}

double number_setting(const Json& options, std::string_view owner, std::string_view key, double fallback) {
  const Json* v = find(options, key);
  if (!v) return fallback;
  if (!v->is_number()) throw SettingError(owner, std::string(key), "a number", shown(*v));
  return v->get<double>();
}

double positive_setting(const Json& options, std::string_view owner, std::string_view key,
                        std::optional<double> fallback) {
  const Json* v = find(options, key);
  if (!v) {
    if (fallback) return *fallback;
    throw InputError(fmt::format("{}: missing option \"{}\": expected a number > 0", owner, key));
  }
  if (!v->is_number() || !(v->get<double>() > 0) || !std::isfinite(v->get<double>()))
    throw SettingError(owner, std::string(key), "a number > 0", shown(*v));
  return v->get<double>();
}

double nonnegative_setting(const Json& options, std::string_view owner, std::string_view key, double fallback) {
  const Json* v = find(options, key);
  if (!v) return fallback;
  if (!v->is_number() || !(v->get<double>() >= 0) || !std::isfinite(v->get<double>()))
    throw SettingError(owner, std::string(key), "a number ≥ 0", shown(*v));
  return v->get<double>();
}

namespace {
bool in_unit_interval(const Json& v, bool one_allowed) {
  if (!v.is_number()) return false;
  const double x = v.get<double>();
  return x >= 0 && (one_allowed ? x <= 1 : x < 1);
}
}  // namespace

double unit_interval_setting(const Json& options, std::string_view owner, std::string_view key, double fallback,
                             bool one_allowed) {
  const Json* v = find(options, key);
  if (!v) return fallback;
  if (!in_unit_interval(*v, one_allowed))
    throw SettingError(owner, std::string(key), one_allowed ? "a number in [0, 1]" : "a number in [0, 1)", shown(*v));
  return v->get<double>();
}

std::array<double, 2> unit_interval_pair_setting(const Json& options, std::string_view owner, std::string_view key,
                                                 std::array<double, 2> fallback) {
  const Json* v = find(options, key);
  if (!v) return fallback;
  if (!v->is_array() || v->size() != 2)
    throw SettingError(owner, std::string(key), "an array of two numbers, each in [0, 1)", shown(*v));
  std::array<double, 2> pair{};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!in_unit_interval((*v)[i], false))
      throw SettingError(owner, std::string(key), i, "a number in [0, 1)", shown((*v)[i]));
    pair[i] = (*v)[i].get<double>();
  }
  return pair;
}

bool bool_setting(const Json& options, std::string_view owner, std::string_view key, bool fallback) {
  const Json* v = find(options, key);
  if (!v) return fallback;
  if (!v->is_boolean()) throw SettingError(owner, std::string(key), "true or false", shown(*v));
  return v->get<bool>();
}

std::string choice_setting(const Json& options, std::string_view owner, std::string_view key, std::string_view fallback,
                           std::initializer_list<std::string_view> choices) {
  const Json* v = find(options, key);
  if (!v) return std::string(fallback);
  if (v->is_string() && std::find(choices.begin(), choices.end(), v->get<std::string>()) != choices.end())
    return v->get<std::string>();
  throw SettingError(owner, std::string(key), fmt::format("one of {}", fmt::join(choices, ", ")), shown(*v));
}

}  // namespace glassbox
