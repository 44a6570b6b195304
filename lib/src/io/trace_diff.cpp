// glassbox/io/trace_diff.cpp — the walk of two traces in step, and its report.
#include "glassbox/io/trace_diff.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/json.hpp"
#include "glassbox/io/trace_reader.hpp"

namespace glassbox {

namespace {

// numpy.isclose's test with B as the reference; NaN agrees with NaN, ∞ with the same ∞.
bool agree(double a, double b, const DiffOptions& o) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;  // equal numbers, and equal infinities
  if (std::isinf(a) || std::isinf(b)) return false;
  return std::fabs(a - b) <= o.atol + o.rtol * std::fabs(b);
}

// A value as a message shows it: numbers in their shortest exact form, anything else as JSON,
// shortened past 80 characters.
std::string show(const Json& j) {
  std::string text = j.is_number_float() ? fmt::format("{}", j.get<double>()) : j.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "…";
  return text;
}

std::string type_name(const Json& j) {
  if (maybe_number_from_json(j)) return "a number";
  if (j.is_string()) return "text";
  if (j.is_boolean()) return "true/false";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

// A key as part of a field's path: `dL_dW`, `.loss`, or `["layers[0].W"]` for a key with other characters.
std::string key_path(const std::string& parent, const std::string& key) {
  const bool plain = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                                         std::string::npos;
  if (plain) return parent.empty() ? key : parent + "." + key;
  return fmt::format("{}[{}]", parent, Json(key).dump());
}

// The walk: compares two JSON values and hands every difference to the diff.
struct Walker {
  TraceDiff& diff;
  TraceAddress base;    // the event's address; field and element are filled in per value
  bool in_header = false;

  void found(Difference d) {
    if (in_header) {
      diff.header.push_back(std::move(d));
    } else if (!diff.first) {
      diff.first = std::move(d);
    } else if (d.kind == Difference::Kind::value) {
      ++diff.values_after;
    } else {
      ++diff.structural_after;
    }
  }

  Difference at(Difference::Kind kind, const std::string& field, const std::vector<std::size_t>& element) const {
    Difference d;
    d.kind = kind;
    d.where = base;
    d.where.field = field;
    d.where.element = element;
    return d;
  }

  void compare(const Json& a, const Json& b, const std::string& field, std::vector<std::size_t> element) {
    const auto na = maybe_number_from_json(a), nb = maybe_number_from_json(b);
    if (na && nb) {
      if (!in_header) ++diff.values_compared;
      if (agree(*na, *nb, diff.options)) return;
      Difference d = at(Difference::Kind::value, field, element);
      d.a = show(a);
      d.b = show(b);
      d.abs_error = std::fabs(*na - *nb);
      d.allowed = diff.options.atol + diff.options.rtol * std::fabs(*nb);
      d.rel_error = *nb == 0 ? (d.abs_error == 0 ? 0 : std::numeric_limits<double>::infinity()) : d.abs_error / std::fabs(*nb);
      found(std::move(d));
      return;
    }
    if (a.type() != b.type() || na || nb) {
      Difference d = at(Difference::Kind::type, field, element);
      d.a = show(a);
      d.b = show(b);
      d.detail = fmt::format("{} in A, {} in B", type_name(a), type_name(b));
      found(std::move(d));
      return;
    }
    if (a.is_array()) {
      if (a.size() != b.size()) {
        Difference d = at(Difference::Kind::shape, field, element);
        d.a = fmt::format("{} entries", a.size());
        d.b = fmt::format("{} entries", b.size());
        d.detail = fmt::format("{} entries in A, {} in B", a.size(), b.size());
        found(std::move(d));
      }
      const std::size_t n = std::min(a.size(), b.size());
      for (std::size_t k = 0; k < n; ++k) {
        if (a[k].is_object() || b[k].is_object()) {
          // An array of objects: the index joins the field's path, as [k].
          std::string inner = field;
          for (std::size_t i : element) inner += fmt::format("[{}]", i);
          compare(a[k], b[k], fmt::format("{}[{}]", inner, k), {});
        } else {
          std::vector<std::size_t> next = element;
          next.push_back(k);
          compare(a[k], b[k], field, std::move(next));
        }
      }
      return;
    }
    if (a.is_object()) {
      for (const auto& [key, value] : a.items()) {
        const std::string path = key_path(field, key);
        if (!b.contains(key)) {
          Difference d = at(Difference::Kind::missing_field, path, element);
          d.a = show(value);
          d.b = "(missing)";
          d.detail = "in A, missing in B";
          found(std::move(d));
        } else {
          compare(value, b[key], path, element);
        }
      }
      for (const auto& [key, value] : b.items())
        if (!a.contains(key)) {
          Difference d = at(Difference::Kind::missing_field, key_path(field, key), element);
          d.a = "(missing)";
          d.b = show(value);
          d.detail = "in B, missing in A";
          found(std::move(d));
        }
      return;
    }
    if (a != b) {
      Difference d = at(Difference::Kind::text, field, element);
      d.a = show(a);
      d.b = show(b);
      found(std::move(d));
    }
  }
};

// The address of an event from its own fields.
TraceAddress address_of(const Json& event, std::size_t number, std::size_t line_a, std::size_t line_b) {
  TraceAddress where;
  where.event = number;
  where.line_a = line_a;
  where.line_b = line_b;
  const auto text = [&](const char* key) {
    const auto it = event.find(key);
    return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto whole = [&](const char* key) -> std::optional<long long> {
    const auto it = event.find(key);
    if (it != event.end() && it->is_number_integer()) return it->get<long long>();
    return std::nullopt;
  };
  where.kind = text("event");
  where.run = text("run");
  where.parameter = text("parameter");
  where.epoch = whole("epoch");
  where.step = whole("step");
  where.layer = whole("layer");
  return where;
}

}  // namespace

std::string TraceAddress::describe() const {
  std::string s;
  if (kind == "header" || kind == "result") {
    s = fmt::format("the {} (line {} of A, line {} of B)", kind, line_a, line_b);
  } else {
    s = fmt::format("event {} (line {} of A, line {} of B): {}", event, line_a, line_b, kind);
    if (!run.empty()) s += fmt::format(", run {}", Json(run).dump());
    if (epoch) s += fmt::format(", epoch {}", *epoch);
    if (step) s += fmt::format(", step {}", *step);
    if (layer) s += fmt::format(", layer {}", *layer);
    if (!parameter.empty()) s += fmt::format(", parameter {}", parameter);
  }
  if (!field.empty()) s += fmt::format(", field {}", field);
  if (!element.empty()) s += fmt::format(", element ({})", fmt::join(element, ", "));
  return s;
}

std::string Difference::describe() const {
  switch (kind) {
    case Kind::value:
      return fmt::format(
          "{}\n  A: {}\n  B: {}\n  |A − B| = {:.3g}, relative to |B|: {:.3g} (the tolerance allows atol + rtol·|B| = {:.3g})",
          where.describe(), a, b, abs_error, rel_error, allowed);
    case Kind::missing_field:
      return fmt::format("{}: a field {}\n  A: {}\n  B: {}", where.describe(), detail, a, b);
    case Kind::event_kind:
      return fmt::format("{}: different kinds of event\n  A: {}\n  B: {}", where.describe(), a, b);
    case Kind::shape:
      return fmt::format("{}: arrays of different lengths, {}", where.describe(), detail);
    case Kind::type:
      return fmt::format("{}: {}\n  A: {}\n  B: {}", where.describe(), detail, a, b);
    case Kind::text:
      return fmt::format("{}: values differ\n  A: {}\n  B: {}", where.describe(), a, b);
    case Kind::length:
      return fmt::format("{}: {}", where.describe(), detail);
  }
  return "";
}

std::string TraceDiff::report() const {
  std::string s;
  const std::string tolerance = fmt::format("|A − B| ≤ atol + rtol·|B| with atol {} and rtol {}", options.atol, options.rtol);
  if (!header.empty()) {
    s += "the headers differ (the settings of the runs):\n";
    const std::size_t shown = std::min<std::size_t>(header.size(), 20);
    for (std::size_t k = 0; k < shown; ++k) {
      const Difference& d = header[k];
      s += fmt::format("  {}: {} in A, {} in B\n", d.where.field.empty() ? "(header)" : d.where.field, d.a, d.b);
    }
    if (header.size() > shown) s += fmt::format("  … and {} more\n", header.size() - shown);
  }
  if (first) {
    s += "first difference: " + first->describe() + "\n";
    s += fmt::format("after it: {} more number{} beyond the tolerance, {} more structural difference{}\n", values_after,
                     values_after == 1 ? "" : "s", structural_after, structural_after == 1 ? "" : "s");
  } else {
    s += fmt::format("the events agree: {} number{} in {} event{}, each within {}\n", values_compared,
                     values_compared == 1 ? "" : "s", events_a, events_a == 1 ? "" : "s", tolerance);
  }
  return s;
}

TraceDiff diff_traces(const std::filesystem::path& a_path, const std::filesystem::path& b_path, const DiffOptions& options) {
  if (!std::isfinite(options.rtol) || options.rtol < 0 || !std::isfinite(options.atol) || options.atol < 0)
    throw std::invalid_argument(
        fmt::format("trace diff: tolerances must be finite and ≥ 0, got rtol {} and atol {}", options.rtol, options.atol));
  TraceReader a(a_path), b(b_path);
  TraceDiff diff;
  diff.options = options;

  Walker header{diff, {}, true};
  header.base.kind = "header";
  header.base.line_a = header.base.line_b = 1;
  header.compare(a.header(), b.header(), "", {});

  Walker walk{diff, {}, false};
  std::size_t number = 0;
  while (true) {
    std::optional<Json> ea = a.next(), eb = b.next();
    if (!ea && !eb) break;
    ++number;
    if (!ea || !eb) {
      // One trace has ended: every event left in the other is one difference.
      TraceReader& longer = ea ? a : b;
      const Json& event = ea ? *ea : *eb;
      walk.base = address_of(event, number, ea ? a.line() : 0, eb ? b.line() : 0);
      Difference d;
      d.kind = Difference::Kind::length;
      d.where = walk.base;
      d.a = ea ? show(event["event"]) : "(no more events)";
      d.b = eb ? show(event["event"]) : "(no more events)";
      d.detail = fmt::format("{} has more events than {}, from this one on", ea ? "A" : "B", ea ? "B" : "A");
      walk.found(std::move(d));
      while (longer.next()) ++walk.diff.structural_after;
      break;
    }
    walk.base = address_of(*ea, number, a.line(), b.line());
    const Json& kind_a = (*ea)["event"];
    const Json& kind_b = (*eb)["event"];
    if (kind_a != kind_b) {
      Difference d;
      d.kind = Difference::Kind::event_kind;
      d.where = walk.base;
      d.where.field = "event";
      d.a = show(kind_a);
      d.b = show(kind_b);
      walk.found(std::move(d));
      continue;
    }
    walk.compare(*ea, *eb, "", {});
  }
  diff.events_a = a.events();
  diff.events_b = b.events();

  walk.base = TraceAddress{};
  walk.base.kind = "result";
  walk.base.line_a = a.line();
  walk.base.line_b = b.line();
  walk.compare(a.result(), b.result(), "", {});
  return diff;
}

}  // namespace glassbox
