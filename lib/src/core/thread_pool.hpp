// glassbox/core/thread_pool.hpp — a few worker threads that run the parts of one job at a time (the
// product kernel's blocks of C: kernel.cpp). Private to lib/src/core.
//
// A job's part 0 runs on the calling thread, part i on worker i; run() returns when every part is
// done. Nothing is allocated per job. A part is claimed before it runs, by its worker or — once the
// caller has finished part 0 — by the caller, if its worker has not started it yet: a worker that the
// operating system (or the machine a virtual machine runs on) has not given a processor just then
// does not hold the whole job up. Which thread runs a part changes nothing in its result.
//
// Waking a parked thread takes the operating system tens of microseconds, as long as a product of
// the MLP's sizes takes on one core, and a training step asks for several products in quick
// succession. So a worker that finishes a part watches for the next job for a short while (kSpin)
// before it parks on a condition variable, and the caller watches for its workers to finish before
// it parks. An idle pool is parked: it takes no processor time. After the first few microseconds
// (kSpinAlone) a watching thread yields its processor at every look: when the program's threads
// outnumber the processors it gets — another program busy on one of them — the thread it watches
// for may be the one waiting for its processor, and watching without yielding would hold that
// thread up for a whole time slice.
//
// Between jobs, the workers can run a chore: work the caller offers and goes on without (the next
// mini-batch gathered while this one's step runs). A worker that has no part to run takes one piece
// of it at a time, and looks for a new job between pieces; the caller withdraws the offer, and runs
// the pieces nobody has taken, when it needs the chore done.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "glassbox/core/kernel.hpp"

namespace glassbox::kernel::detail {

class ThreadPool {
public:
  using Task = void (*)(void* context, std::size_t part);  // must not throw
  using Chore = kernel::detail::Chore;  // its run() must not throw

  // How long a thread watches for work (or for its workers) before it parks.
  static constexpr std::chrono::microseconds kSpin{100};
  // After this long, a watching thread yields its processor at every look.
  static constexpr std::chrono::microseconds kSpinAlone{5};

  explicit ThreadPool(std::size_t workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t workers() const noexcept { return threads_.size(); }
  // Runs task(context, part) for part = 0 … parts−1, parts ≤ workers() + 1. One job at a time: the
  // caller makes sure run() is not called from two threads at once.
  void run(std::size_t parts, Task task, void* context);

  // Offers a chore to the workers, and returns true; false when another is on offer. The chore
  // must stay alive until withdraw().
  bool offer(const Chore* chore);
  // No worker starts a piece of the chore on offer after this; returns once none is running one.
  void withdraw();

private:
  void work(std::size_t index);  // a worker's loop; index from 1
  // Claims part i and runs it, if nobody has; then counts it done.
  void run_part(std::size_t i);
  // Runs pieces of the chore on offer until there is none or a new job comes (after `seen`).
  void do_chores(std::uint64_t seen);

  std::mutex mutex_;
  std::condition_variable wake_;  // a new job, or stop
  std::condition_variable done_;  // the last part of a job finished
  // The job's number (so a worker knows a new one from the last) times 2¹⁶, plus its number of parts:
  // one atomic, so a worker that has no part in a job reads nothing else of it.
  std::atomic<std::uint64_t> job_{0};
  static constexpr std::uint64_t kPartsBits = 16;
  std::atomic<std::size_t> pending_{0};  // parts 1 … parts−1 still to finish, by whichever thread
  // claimed[i]: part i of the current job has been taken (by worker i or by the caller). Reset by
  // the caller, with release, after it has written the task and before it publishes the job, so
  // that whoever claims a part sees the task.
  std::unique_ptr<std::atomic<bool>[]> claimed_;
  std::size_t sleepers_ = 0;             // workers parked on wake_ (under mutex_)
  // The task: written before job_ changes, read by the workers that have a part in it.
  Task task_ = nullptr;
  void* context_ = nullptr;
  bool stop_ = false;
  // The chore on offer (nullptr: none), and how many workers are looking at it or running a piece
  // of it: a worker counts itself in before it reads chore_, so that withdraw() can wait for it.
  std::atomic<const Chore*> chore_{nullptr};
  std::atomic<std::size_t> in_chore_{0};
  std::vector<std::thread> threads_;
};

}  // namespace glassbox::kernel::detail
