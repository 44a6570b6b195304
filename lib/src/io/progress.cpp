// glassbox/io/progress.cpp
#include "glassbox/io/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace glassbox {

ProgressMode progress_mode_for(std::FILE* stream, bool quiet) {
  if (quiet || stream == nullptr) return ProgressMode::lines;
  return ::isatty(::fileno(stream)) ? ProgressMode::terminal : ProgressMode::lines;
}

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  const long long s = seconds > 0 ? static_cast<long long>(seconds) : 0;  // whole seconds, rounded down
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

Progress::Progress(std::ostream& out, ProgressMode mode, std::size_t epochs, ProgressClock clock, double redraw_interval)
    : out_(out), mode_(mode), epochs_(epochs), clock_(std::move(clock)), redraw_interval_(redraw_interval) {}

void Progress::start_epoch(std::size_t epoch, std::size_t batches) {
  epoch_ = epoch;
  batches_ = batches;
  done_ = 0;
  samples_ = accuracy_samples_ = 0;
  loss_sum_ = accuracy_sum_ = 0;
  drawn_ = false;
  epoch_start_ = clock_();
}

void Progress::batch(std::size_t i, double loss, std::optional<double> accuracy, std::size_t samples) {
  done_ = i;
  const double w = static_cast<double>(samples);
  samples_ += samples;
  loss_sum_ += w * loss;
  if (accuracy) {
    accuracy_samples_ += samples;
    accuracy_sum_ += w * *accuracy;
  }
  if (mode_ != ProgressMode::terminal) return;
  // At most one redraw per interval; the first batch and the last always show.
  const double now = clock_();
  if (!drawn_ || i == batches_ || now - last_draw_ >= redraw_interval_) {
    last_draw_ = now;
    drawn_ = true;
    draw();
  }
}

std::string Progress::line() const {
  std::string text = epochs_ > 0 ? fmt::format("epoch {}/{}", epoch_, epochs_) : fmt::format("epoch {}", epoch_);
  text += fmt::format("  batch {}/{}", done_, batches_);
  if (samples_ > 0) text += fmt::format("  loss {:.4f}", loss_sum_ / static_cast<double>(samples_));
  if (accuracy_samples_ > 0)
    text += fmt::format("  accuracy {:.4f}", accuracy_sum_ / static_cast<double>(accuracy_samples_));
  const double elapsed = clock_() - epoch_start_;
  text += "  " + format_duration(elapsed) + " elapsed";
  if (done_ > 0 && done_ < batches_) {
    const double eta = elapsed / static_cast<double>(done_) * static_cast<double>(batches_ - done_);
    text += "  ETA " + format_duration(eta);
  }
  return text;
}

void Progress::draw() {
  out_ << '\r' << line() << "\x1b[K" << std::flush;
  ++redraws_;
}

void Progress::end_epoch(const std::string& extra) {
  switch (mode_) {
    case ProgressMode::off:
      return;
    case ProgressMode::terminal:
      out_ << '\r' << line() << (extra.empty() ? "" : "  ") << extra << "\x1b[K\n" << std::flush;
      ++redraws_;
      return;
    case ProgressMode::lines: {
      std::string text = epochs_ > 0 ? fmt::format("epoch {}/{}:", epoch_, epochs_) : fmt::format("epoch {}:", epoch_);
      if (samples_ > 0) text += fmt::format(" loss {:.4f}", loss_sum_ / static_cast<double>(samples_));
      if (accuracy_samples_ > 0)
        text += fmt::format(", accuracy {:.4f}", accuracy_sum_ / static_cast<double>(accuracy_samples_));
      text += fmt::format(" ({} batches, {:.1f} s)", done_, clock_() - epoch_start_);
      if (!extra.empty()) text += " " + extra;
      out_ << text << '\n' << std::flush;
      return;
    }
  }
}

}  // namespace glassbox
