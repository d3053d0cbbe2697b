#include "tests/stdio/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

namespace testing_support {

void MakePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
}

LineChannel::~LineChannel() { Reset(-1, -1); }

void LineChannel::Reset(int write_fd, int read_fd) {
  CloseWrite();
  if (read_fd_ >= 0) ::close(read_fd_);
  write_fd_ = write_fd;
  read_fd_ = read_fd;
  buffer_.clear();
}

bool LineChannel::WriteRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(write_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void LineChannel::CloseWrite() {
  if (write_fd_ >= 0) ::close(write_fd_);
  write_fd_ = -1;
}

bool LineChannel::Pump(bool one_line, std::chrono::steady_clock::time_point deadline) {
  char chunk[65536];
  for (;;) {
    if (one_line && buffer_.find('\n') != std::string::npos) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{read_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // closed
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

std::optional<std::string> LineChannel::ReadLine(std::chrono::milliseconds timeout) {
  Pump(true, std::chrono::steady_clock::now() + timeout);
  const size_t newline = buffer_.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(0, newline);
  buffer_.erase(0, newline + 1);
  return line;
}

std::string LineChannel::ReadRemaining(std::chrono::milliseconds timeout) {
  Pump(false, std::chrono::steady_clock::now() + timeout);
  return std::exchange(buffer_, {});
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, bool capture_stderr) {
  ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the caller
  int in[2], out[2], err[2];
  MakePipe(in);
  MakePipe(out);
  MakePipe(err);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    if (capture_stderr) {
      ::dup2(err[1], STDERR_FILENO);
    } else if (int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  io_.Reset(in[1], out[0]);
  stderr_.Reset(-1, err[0]);
}

ChildProcess::~ChildProcess() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string ChildProcess::ReadStderr(std::chrono::milliseconds timeout) { return stderr_.ReadRemaining(timeout); }

void ChildProcess::Signal(int signal_number) { ::kill(pid_, signal_number); }

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace testing_support
