// ConnectionSet: the open connections of a server, so it can refuse connections over
// the limit and, when stopping, tell each one to finish its request and close.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace transports::http {

// A connection as the set sees it.
class Drainable {
 public:
  virtual ~Drainable() = default;
  // Finish the request in progress (if any), then close. Callable from any thread.
  virtual void Drain() = 0;
};

class ConnectionSet {
 public:
  // Once DrainAll has run, a connection added (accepted just before the listener closed) is
  // drained at once.
  void Add(Drainable* key, std::shared_ptr<Drainable> connection);
  void Remove(Drainable* key);
  std::size_t size() const;

  // Drains every connection open now.
  void DrainAll();
  // Waits until no connection is left or `timeout` passes; true if none is left.
  bool WaitUntilEmpty(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<Drainable*, std::weak_ptr<Drainable>> connections_;
  bool draining_ = false;
};

}  // namespace transports::http
