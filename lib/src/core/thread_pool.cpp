// glassbox/core/thread_pool.cpp — the kernel's worker threads (thread_pool.hpp).
#include "thread_pool.hpp"

#include <cassert>

namespace glassbox::kernel::detail {

namespace {

// Watches until done() or kSpin has passed; returns done()'s last answer.
template <typename Done>
bool spin_until(Done done) {
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + ThreadPool::kSpin, polite = start + ThreadPool::kSpinAlone;
  bool yielding = false;
  for (unsigned i = 1;; ++i) {
    if (done()) return true;
    if (i % 64 == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now > until) return false;
      yielding = now > polite;
    }
    if (yielding)
      std::this_thread::yield();
    else {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
      __builtin_ia32_pause();  // tells the core this is a wait loop
#endif
    }
  }
}

}  // namespace

ThreadPool::ThreadPool(std::size_t workers) : claimed_(new std::atomic<bool>[workers + 1]) {
  for (std::size_t i = 0; i <= workers; ++i) claimed_[i].store(true, std::memory_order_relaxed);
  threads_.reserve(workers);
  for (std::size_t i = 1; i <= workers; ++i) threads_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  withdraw();
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::run(std::size_t parts, Task task, void* context) {
  assert(parts >= 1 && parts <= workers() + 1 && parts < (1u << kPartsBits));
  if (parts > 1) {
    std::lock_guard lock(mutex_);
    task_ = task;
    context_ = context;
    pending_.store(parts - 1, std::memory_order_relaxed);
    for (std::size_t i = 1; i < parts; ++i) claimed_[i].store(false, std::memory_order_release);
    const std::uint64_t number = (job_.load(std::memory_order_relaxed) >> kPartsBits) + 1;
    job_.store(number << kPartsBits | parts, std::memory_order_release);
    if (sleepers_ > 0) wake_.notify_all();
  }
  task(context, 0);
  // The parts no worker has started yet: run them here rather than wait for a worker to get a
  // processor. A worker that is running keeps its own part (it claimed it long before part 0 ends).
  for (std::size_t i = 1; i < parts; ++i) run_part(i);
  if (parts > 1 && !spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
  }
}

bool ThreadPool::offer(const Chore* chore) {
  const Chore* none = nullptr;
  if (!chore_.compare_exchange_strong(none, chore)) return false;
  std::lock_guard lock(mutex_);  // so a worker cannot miss the notification between test and wait
  if (sleepers_ > 0) wake_.notify_all();
  return true;
}

void ThreadPool::withdraw() {
  chore_.store(nullptr);
  // A worker that counted itself in before this store may have read the chore; one that counts
  // itself in after it reads nullptr. (Both sequentially consistent: one order for all threads.)
  spin_until([this] { return in_chore_.load() == 0; });
  while (in_chore_.load() != 0) std::this_thread::yield();
}

void ThreadPool::do_chores(std::uint64_t seen) {
  while (job_.load(std::memory_order_acquire) == seen) {
    in_chore_.fetch_add(1);
    const Chore* chore = chore_.load();
    const bool ran = chore && chore->run(chore->context);
    // None left: take the offer down, so that no worker watches it (while this worker is counted
    // in, the caller cannot have withdrawn it and offered another at the same address).
    if (chore && !ran) chore_.compare_exchange_strong(chore, nullptr);
    in_chore_.fetch_sub(1);
    if (!ran) return;
  }
}

void ThreadPool::work(std::size_t index) {
  std::uint64_t seen = 0;
  for (;;) {
    auto new_job = [&] { return job_.load(std::memory_order_acquire) != seen; };
    auto ready = [&] { return new_job() || chore_.load(std::memory_order_relaxed) != nullptr; };
    if (!spin_until(ready)) {
      std::unique_lock lock(mutex_);
      ++sleepers_;
      wake_.wait(lock, [&] { return stop_ || ready(); });
      --sleepers_;
      if (stop_) return;
    }
    if (!new_job()) {
      do_chores(seen);
      continue;
    }
    seen = job_.load(std::memory_order_acquire);
    const std::size_t parts = seen & ((1u << kPartsBits) - 1);
    if (index >= parts) continue;  // this job has fewer parts than the pool has workers
    run_part(index);
  }
}

void ThreadPool::run_part(std::size_t i) {
  // Taking the flag the caller reset (with release, after writing the task) makes the task visible
  // here; the job cannot end, nor the next one start, before this part is counted done (run() waits
  // for pending_), so the task holds still while it is read. A worker that saw an earlier job's
  // number finds its flag taken (or, reset for a later job, takes that job's part: the task read
  // is then that job's).
  if (claimed_[i].exchange(true, std::memory_order_acq_rel)) return;
  task_(context_, i);
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lock(mutex_);  // so the caller cannot miss the notification between test and wait
    done_.notify_one();
  }
}

}  // namespace glassbox::kernel::detail
