// Writes whole lines to a descriptor from any thread; one line is never interleaved
// with another. After a failed write (the client went away) it drops further lines.
#pragma once

#include <atomic>
#include <mutex>
#include <string_view>

namespace transports {

class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}

  // Writes `message` and a newline. False once writing has failed.
  bool Write(std::string_view message);
  bool failed() const { return failed_.load(); }

 private:
  bool WriteAll(std::string_view bytes);

  const int fd_;
  std::mutex mutex_;
  std::atomic<bool> failed_{false};
};

}  // namespace transports
