// glassbox/core/thread_pool.hpp — a few worker threads that run the parts of one job at a time (the
// product kernel's blocks of C: kernel.cpp). Private to lib/src/core.
//
// The workers wait on a condition variable between jobs: an idle pool takes no processor time. A
// job's part 0 runs on the calling thread, parts 1 … parts−1 on workers 1 … parts−1; run() returns
// when every part is done. Nothing is allocated per job.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace glassbox::kernel::detail {

class ThreadPool {
public:
  using Task = void (*)(void* context, std::size_t part);  // must not throw

  explicit ThreadPool(std::size_t workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t workers() const noexcept { return threads_.size(); }
  // Runs task(context, part) for part = 0 … parts−1, parts ≤ workers() + 1. One job at a time: the
  // caller makes sure run() is not called from two threads at once.
  void run(std::size_t parts, Task task, void* context);

private:
  void work(std::size_t index);  // a worker's loop; index from 1

  std::mutex mutex_;
  std::condition_variable wake_;  // a new job, or stop
  std::condition_variable done_;  // the last part of a job finished
  std::uint64_t job_ = 0;         // counts jobs, so a worker knows a new one from the last
  std::size_t parts_ = 0, pending_ = 0;
  Task task_ = nullptr;
  void* context_ = nullptr;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace glassbox::kernel::detail
