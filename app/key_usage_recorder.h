// Records API keys' last_used_at without a database write per request: keys seen
// are collected in memory and written in one transaction every `interval`
// (and once more on shutdown).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/database.h"

namespace rm::app {

class KeyUsageRecorder {
 public:
  KeyUsageRecorder(store::Store& db, std::chrono::milliseconds interval);
  ~KeyUsageRecorder();  // flushes what is pending
  KeyUsageRecorder(const KeyUsageRecorder&) = delete;
  KeyUsageRecorder& operator=(const KeyUsageRecorder&) = delete;

  // Cheap; safe from any thread.
  void Used(const std::string& key_id);

 private:
  void Loop();
  void Flush();

  store::Store& db_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::string> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rm::app
