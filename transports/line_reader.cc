#include "transports/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

namespace transports {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;

// Before blocking for input, look for it this long without sleeping. A client often
// sends its next request right after reading a response; a thread that sleeps
// instead is woken by the kernel, and on an idle virtual machine that wake-up took
// about 60 us, ten times a ping's own cost (docs/BENCHMARKS.md, stdio). Spinning
// costs at most this much CPU per message, and only when the caller asks for it.
constexpr std::chrono::microseconds kSpinBeforeSleeping{100};

// Whether `fd` (or `stop_fd`) becomes readable within kSpinBeforeSleeping, polling
// without sleeping.
bool ReadableSoon(pollfd* fds, nfds_t count) {
  const auto until = std::chrono::steady_clock::now() + kSpinBeforeSleeping;
  do {
    if (::poll(fds, count, 0) > 0) return true;
  } while (std::chrono::steady_clock::now() < until);
  return false;
}
}  // namespace

LineReader::LineReader(int fd, int stop_fd, std::size_t max_line_bytes)
    : fd_(fd), stop_fd_(stop_fd), max_line_bytes_(max_line_bytes) {}

LineReader::Event LineReader::Next(std::string& line, bool spin) {
  for (;;) {
    const std::size_t newline = buffer_.find('\n', begin_ + scanned_);
    if (newline != std::string::npos) {
      const std::size_t length = newline - begin_;
      const bool too_long = discarding_ || length > max_line_bytes_;
      if (!too_long) line.assign(buffer_, begin_, length);
      begin_ = newline + 1;
      scanned_ = 0;
      discarding_ = false;
      if (too_long) return Event::kTooLong;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      return Event::kLine;
    }
    // No newline yet. Keep at most the limit of one line; past it, drop what arrives.
    scanned_ = buffer_.size() - begin_;
    if (discarding_ || scanned_ > max_line_bytes_) {
      discarding_ = true;
      buffer_.clear();
      begin_ = scanned_ = 0;
    } else if (begin_ > 0) {
      buffer_.erase(0, begin_);  // keep the buffer from growing with consumed lines
      begin_ = 0;
    }
    if (at_end_) {
      if (discarding_) {
        discarding_ = false;
        return Event::kTooLong;
      }
      if (buffer_.empty()) return Event::kEnd;
      line.swap(buffer_);  // a last line without its newline still counts
      buffer_.clear();
      begin_ = scanned_ = 0;
      return Event::kLine;
    }
    if (auto stop = Fill(spin)) return *stop;
  }
}

std::optional<LineReader::Event> LineReader::Fill(bool spin) {
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const nfds_t count = stop_fd_ >= 0 ? 2 : 1;
    if (!(spin && ReadableSoon(fds, count)) && ::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("stdio: waiting for input failed: {}", std::strerror(errno));
      return Event::kError;
    }
    if (count == 2 && fds[1].revents != 0) return Event::kStopped;
    if (fds[0].revents == 0) continue;

    const std::size_t old_size = buffer_.size();
    buffer_.resize(old_size + kReadChunk);
    const ssize_t n = ::read(fd_, buffer_.data() + old_size, kReadChunk);
    buffer_.resize(old_size + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n > 0) return std::nullopt;
    if (n == 0) {
      at_end_ = true;  // Next() hands out what is left, then reports the end
      return std::nullopt;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    spdlog::error("stdio: reading input failed: {}", std::strerror(errno));
    return Event::kError;
  }
}

}  // namespace transports
