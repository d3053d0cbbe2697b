#include "transports/process_guards.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace transports {
namespace {

// The write end of the active StopSignal's pipe, for the signal handler.
volatile std::sig_atomic_t g_stop_write_fd = -1;
struct sigaction g_previous_term, g_previous_int;

void OnStopSignal(int) {
  const int saved_errno = errno;
  if (g_stop_write_fd >= 0) {
    [[maybe_unused]] ssize_t ignored = ::write(g_stop_write_fd, "s", 1);  // async-signal-safe
  }
  errno = saved_errno;
}

[[noreturn]] void Fail(const char* what) {
  throw std::runtime_error(std::string("stdio: ") + what + ": " + std::strerror(errno));
}

}  // namespace

StopSignal::StopSignal() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) Fail("cannot create the signal pipe");
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_stop_write_fd = write_fd_;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, &g_previous_term);
  sigaction(SIGINT, &action, &g_previous_int);
}

StopSignal::~StopSignal() {
  sigaction(SIGTERM, &g_previous_term, nullptr);
  sigaction(SIGINT, &g_previous_int, nullptr);
  g_stop_write_fd = -1;
  ::close(read_fd_);
  ::close(write_fd_);
}

ProtocolOutput::ProtocolOutput(int fd) {
  protocol_fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (protocol_fd_ < 0) Fail("cannot duplicate the output descriptor");
  if (fd == STDOUT_FILENO) {
    std::fflush(stdout);
    if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) Fail("cannot point stdout at stderr");
    redirected_stdout_ = true;
  }
}

ProtocolOutput::~ProtocolOutput() {
  if (redirected_stdout_) {
    std::fflush(stdout);
    ::dup2(protocol_fd_, STDOUT_FILENO);
  }
  ::close(protocol_fd_);
}

}  // namespace transports
