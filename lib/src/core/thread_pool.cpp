// glassbox/core/thread_pool.cpp — the kernel's worker threads (thread_pool.hpp).
#include "thread_pool.hpp"

#include <cassert>

namespace glassbox::kernel::detail {

ThreadPool::ThreadPool(std::size_t workers) {
  threads_.reserve(workers);
  for (std::size_t i = 1; i <= workers; ++i) threads_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::run(std::size_t parts, Task task, void* context) {
  assert(parts >= 1 && parts <= workers() + 1);
  if (parts > 1) {
    {
      std::lock_guard lock(mutex_);
      task_ = task;
      context_ = context;
      parts_ = parts;
      pending_ = parts - 1;
      ++job_;
    }
    wake_.notify_all();
  }
  task(context, 0);
  if (parts > 1) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
  }
}

void ThreadPool::work(std::size_t index) {
  std::uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || job_ != seen; });
    if (stop_) return;
    seen = job_;
    if (index >= parts_) continue;  // this job has fewer parts than the pool has workers
    const Task task = task_;
    void* const context = context_;
    lock.unlock();
    task(context, index);
    lock.lock();
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace glassbox::kernel::detail
