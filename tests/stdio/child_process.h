// Talking to an MCP server line by line over pipes: LineChannel for descriptors the
// caller owns (an in-process server), ChildProcess for a program it starts.
// Test and bench support only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace testing_support {

// Writes lines to one descriptor and reads lines from another. Owns both.
class LineChannel {
 public:
  LineChannel() = default;
  LineChannel(int write_fd, int read_fd) : write_fd_(write_fd), read_fd_(read_fd) {}
  ~LineChannel();
  LineChannel(const LineChannel&) = delete;
  LineChannel& operator=(const LineChannel&) = delete;

  // Adopts new descriptors (-1: none), closing the ones held.
  void Reset(int write_fd, int read_fd);

  // Writes `line` and a newline. False if the reader has gone.
  bool WriteLine(const std::string& line) { return WriteRaw(line + "\n"); }
  bool WriteRaw(std::string_view bytes);
  // Closes the writing side: the server sees end of input.
  void CloseWrite();

  // The next line (without the newline), or nothing on end of input or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Everything until the other side closes (or `timeout`).
  std::string ReadRemaining(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  bool Pump(bool one_line, std::chrono::steady_clock::time_point deadline);

  int write_fd_ = -1;
  int read_fd_ = -1;
  std::string buffer_;
};

// Creates a pipe (close-on-exec); throws std::runtime_error on failure.
void MakePipe(int fds[2]);

// A program with its stdin and stdout (and optionally stderr) on pipes.
class ChildProcess {
 public:
  // Starts `argv[0]` (a path, or a name looked up in PATH) with `argv`. Throws std::runtime_error if it cannot.
  // Without `capture_stderr` the child's stderr goes to /dev/null (a child that logs a
  // lot would otherwise block on a full pipe nobody reads).
  explicit ChildProcess(const std::vector<std::string>& argv, bool capture_stderr = true);
  ~ChildProcess();  // kills the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  LineChannel& io() { return io_; }  // stdin (write) and stdout (read)
  // Everything the child wrote to stderr until it closed it (or `timeout`).
  std::string ReadStderr(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  void Signal(int signal_number);
  // The exit code, or -signal if a signal ended it, or nothing after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  LineChannel io_;
  LineChannel stderr_;  // read side only
  std::optional<int> exit_code_;
};

}  // namespace testing_support
