#include "transports/line_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

namespace transports {

bool LineWriter::Write(std::string_view message) {
  // One buffer, so the line leaves in as few writes as the pipe allows.
  std::string line;
  line.reserve(message.size() + 1);
  line.append(message);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  if (failed_) return false;
  if (WriteAll(line)) return true;
  failed_ = true;
  spdlog::warn("stdio: writing to the client failed ({}); further messages are dropped",
               std::strerror(errno));
  return false;
}

bool LineWriter::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace transports
