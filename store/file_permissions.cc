#include "store/file_permissions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

namespace rm::store {
namespace {

constexpr const char* kDatabaseSuffixes[] = {"", "-wal", "-shm"};

std::optional<mode_t> ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_mode;
}

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The folder holding `path` ("." for a bare file name).
std::string FolderOf(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

}  // namespace

Status CreatePrivateFolders(const std::string& folder) {
  namespace fs = std::filesystem;
  std::vector<fs::path> missing;  // deepest first
  for (fs::path p = fs::path(folder).lexically_normal(); !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    const fs::file_status status = fs::status(p, ec);
    if (fs::exists(status)) {
      if (fs::is_directory(status)) break;
      return Status::IoError("cannot create the folder " + p.string() +
                             " (a file of that name is in the way); choose a database path in a writable folder");
    }
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;  // made meanwhile by another process
      return Status::IoError("cannot create the folder " + it->string() + " (" + std::strerror(errno) +
                             "); choose a database path in a writable folder");
    }
    ::chmod(it->c_str(), 0700);  // mkdir's mode went through the umask
  }
  return Status::Ok();
}

void CreatePrivateDatabaseFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ::fchmod(fd, 0600);  // open's mode went through the umask
  ::close(fd);
}

PermissionFindings CheckFilePermissions(const std::string& path) {
  PermissionFindings findings;
  for (const char* suffix : kDatabaseSuffixes) {
    const std::string file = path + suffix;
    const std::optional<mode_t> mode = ModeOf(file);
    if (!mode || (*mode & 066) == 0) continue;
    if (*mode & 044) {
      findings.problems.push_back(file + " is readable by other accounts (mode " + Octal(*mode) +
                                  "): every memory and key hash in it is exposed; fix: chmod 600 " + file);
    } else {
      findings.problems.push_back(file + " is writable by other accounts (mode " + Octal(*mode) +
                                  "): they can change or destroy the store; fix: chmod 600 " + file);
    }
  }
  const std::string folder = FolderOf(path);
  if (const std::optional<mode_t> mode = ModeOf(folder)) {
    if ((*mode & 022) != 0 && (*mode & S_ISVTX) == 0) {
      findings.problems.push_back("the folder " + folder + " is writable by other accounts (mode " + Octal(*mode) +
                                  "): they can replace or delete the database; fix: chmod 700 " + folder);
    } else if ((*mode & 077) != 0) {
      findings.warnings.push_back("the folder " + folder + " is open to other accounts (mode " + Octal(*mode) +
                                  "): they can see the database's name, size and times; fix: chmod 700 " +
                                  folder);
    }
  }
  return findings;
}

std::vector<std::string> TightenPermissions(const std::string& path) {
  std::vector<std::string> changed;
  const auto tighten = [&](const std::string& file, mode_t wanted) {
    const std::optional<mode_t> mode = ModeOf(file);
    if (!mode || (*mode & 077) == 0) return;
    if (::chmod(file.c_str(), wanted) == 0) {
      changed.push_back(file + ": " + Octal(*mode) + " -> " + Octal(wanted));
    }
  };
  tighten(FolderOf(path), 0700);
  for (const char* suffix : kDatabaseSuffixes) tighten(path + suffix, 0600);
  return changed;
}

}  // namespace rm::store
