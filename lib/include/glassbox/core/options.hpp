// glassbox/core/options.hpp — settings given as a JSON object, such as {"alpha": 0.2}, read with
// messages that name whose setting it is.
//
// `owner` names the thing being configured as a message should say it: "activation leaky_relu",
// "loss huber", "initializer he_normal". A null `options` means no settings. Every reader throws
// InputError naming the owner and the key: an unknown key (listing the known ones), a value of the
// wrong type, a value outside what is allowed. A bad value throws the InputError SettingError
// (core/error.hpp), which also carries the key and what was expected.
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "glassbox/core/json.hpp"

namespace glassbox {

// `options` must be null or a JSON object whose keys are all among `known`.
void require_known_keys(const Json& options, std::string_view owner, std::initializer_list<std::string_view> known);
// Rejects any setting at all: for things that take none.
void require_no_options(const Json& options, std::string_view owner);

// One setting, or `fallback` when it is absent.
double number_setting(const Json& options, std::string_view owner, std::string_view key, double fallback);
// A number > 0 (a rate, a step size); without a fallback the setting is required.
double positive_setting(const Json& options, std::string_view owner, std::string_view key,
                        std::optional<double> fallback = std::nullopt);
// A number ≥ 0 (a decay, an ε, a weight decay).
double nonnegative_setting(const Json& options, std::string_view owner, std::string_view key, double fallback);
// A number in [0, 1), or in [0, 1] with `one_allowed` (a fraction kept of a running average).
double unit_interval_setting(const Json& options, std::string_view owner, std::string_view key, double fallback,
                             bool one_allowed = false);
// Two numbers, each in [0, 1), as a JSON array ([β₁, β₂]); an element out of range throws the
// SettingError of that element (index() set).
std::array<double, 2> unit_interval_pair_setting(const Json& options, std::string_view owner, std::string_view key,
                                                 std::array<double, 2> fallback);
bool bool_setting(const Json& options, std::string_view owner, std::string_view key, bool fallback);
// A word from `choices`.
std::string choice_setting(const Json& options, std::string_view owner, std::string_view key, std::string_view fallback,
                           std::initializer_list<std::string_view> choices);

}  // namespace glassbox
