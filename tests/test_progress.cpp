// Tests for glassbox/io/progress.hpp: the line redrawn in place on a terminal (a fake clock drives
// elapsed time, ETA and the redraw rate), one plain line per epoch elsewhere, and the mode chosen by
// isatty.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "glassbox/io/progress.hpp"

using namespace glassbox;

namespace {

// The same four batches for every mode, with the fake clock at t:
//   start at t=0
//   batch 1: loss 2.0, accuracy 0.5, 10 samples at t=1     running loss 20/10 = 2, accuracy 5/10 = 0.5
//   batch 2: loss 1.0, accuracy 1.0, 10 samples at t=1.05  (under 0.1 s since the last redraw: not drawn)
//   batch 3: loss 4.0, accuracy 0.0, 20 samples at t=3     running loss (20+10+80)/40 = 2.75,
//                                                          accuracy (5+10+0)/40 = 0.375
//   batch 4: loss 0.5, accuracy 1.0, 10 samples at t=3.01  the last: always drawn; running loss
//                                                          (110+5)/50 = 2.3, accuracy (15+10)/50 = 0.5
//   end at t=4
void run_epoch(Progress& p, double& t) {
  t = 0;
  p.start_epoch(1, 4);
  t = 1;
  p.batch(1, 2.0, 0.5, 10);
  t = 1.05;
  p.batch(2, 1.0, 1.0, 10);
  t = 3;
  p.batch(3, 4.0, 0.0, 20);
  t = 3.01;
  p.batch(4, 0.5, 1.0, 10);
  t = 4;
  p.end_epoch("val_loss 0.1000");
}

}  // namespace

TEST_CASE("progress: on a terminal the line is redrawn in place with running means, elapsed time and ETA",
          "[progress]") {
  std::ostringstream out;
  double t = 0;
  Progress p(out, ProgressMode::terminal, 2, [&] { return t; });
  run_epoch(p, t);
  // ETA after batch 1: 1 s per batch so far, 3 batches left → 3 s. After batch 3: 3 s / 3 batches · 1 left → 1 s.
  const std::string expected =
      "\repoch 1/2  batch 1/4  loss 2.0000  accuracy 0.5000  0:01 elapsed  ETA 0:03\x1b[K"
      "\repoch 1/2  batch 3/4  loss 2.7500  accuracy 0.3750  0:03 elapsed  ETA 0:01\x1b[K"
      "\repoch 1/2  batch 4/4  loss 2.3000  accuracy 0.5000  0:03 elapsed\x1b[K"
      "\repoch 1/2  batch 4/4  loss 2.3000  accuracy 0.5000  0:04 elapsed  val_loss 0.1000\x1b[K\n";
  CHECK(out.str() == expected);
  CHECK(p.redraws() == 4);
}

TEST_CASE("progress: at most about ten redraws a second, however fast the batches come", "[progress]") {
  std::ostringstream out;
  double t = 0;
  Progress p(out, ProgressMode::terminal, 1, [&] { return t; });
  p.start_epoch(1, 1000);
  for (std::size_t i = 1; i <= 1000; ++i) {
    t = 0.001 * static_cast<double>(i);  // 1000 batches in one second
    p.batch(i, 1.0, std::nullopt, 32);
  }
  // The first batch, then one every 0.1 s (t ≈ 0.101, 0.201, …, 0.901: 9 more), then the last.
  CHECK(p.redraws() >= 10);
  CHECK(p.redraws() <= 12);
  CHECK(out.str().find("accuracy") == std::string::npos);  // none was given
}

TEST_CASE("progress: off a terminal, one plain line per epoch and no control characters", "[progress]") {
  std::ostringstream out;
  double t = 0;
  Progress p(out, ProgressMode::lines, 2, [&] { return t; });
  run_epoch(p, t);
  CHECK(out.str() == "epoch 1/2: loss 2.3000, accuracy 0.5000 (4 batches, 4.0 s) val_loss 0.1000\n");
  CHECK(p.redraws() == 0);

  std::ostringstream silent;
  Progress off(silent, ProgressMode::off, 2, [&] { return t; });
  run_epoch(off, t);
  CHECK(silent.str().empty());

  // An unknown number of epochs shows the epoch alone.
  std::ostringstream open;
  Progress open_ended(open, ProgressMode::lines, 0, [&] { return t; });
  run_epoch(open_ended, t);
  CHECK(open.str().rfind("epoch 1: loss", 0) == 0);
}

TEST_CASE("progress: the mode follows isatty, and quiet always means plain lines", "[progress]") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  CHECK(progress_mode_for(file, false) == ProgressMode::lines);
  std::fclose(file);
  CHECK(progress_mode_for(nullptr, false) == ProgressMode::lines);

  // A pseudo-terminal is a terminal.
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    WARN("skipped the terminal case: no pseudo-terminal here");
    if (master >= 0) ::close(master);
    return;
  }
  std::FILE* tty = std::fopen(::ptsname(master), "w");
  REQUIRE(tty != nullptr);
  CHECK(progress_mode_for(tty, false) == ProgressMode::terminal);
  CHECK(progress_mode_for(tty, true) == ProgressMode::lines);
  std::fclose(tty);
  ::close(master);
}

TEST_CASE("progress: durations read as m:ss or h:mm:ss, in whole seconds", "[progress]") {
  CHECK(format_duration(0) == "0:00");
  CHECK(format_duration(59.9) == "0:59");
  CHECK(format_duration(61) == "1:01");
  CHECK(format_duration(3723) == "1:02:03");  // 1 h 2 min 3 s
  CHECK(format_duration(-5) == "0:00");
}
