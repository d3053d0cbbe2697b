#include "app/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/crypto.h"

namespace rm::app {

Result<int> CreateExclusiveFile(const std::string& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  if (::fchmod(fd, mode) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(path.c_str());
    return Status::IoError("cannot set the permissions of " + path + ": " + why);
  }
  return fd;
}

Status WriteFileAtomically(const std::string& path, std::string_view text, mode_t mode) {
  const std::string tmp = path + ".tmp-" + RandomHex(4);
  Result<int> fd = CreateExclusiveFile(tmp, mode);
  if (!fd.ok()) return fd.status();
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(*fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(*fd);
      ::unlink(tmp.c_str());
      return Status::IoError("cannot write " + tmp + ": " + why);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(*fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot replace " + path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace rm::app
