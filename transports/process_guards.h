// Process-wide arrangements the stdio transport makes while it runs, each undone
// when its guard goes out of scope.
#pragma once

namespace transports {

// Turns SIGTERM and SIGINT into a readable descriptor (a self-pipe), so the reader's
// poll() sees a stop request instead of the process dying mid-request. One at a time.
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Becomes readable once a signal arrived.
  int fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Keeps stdout for protocol messages only: the protocol gets a private duplicate of
// `fd`, and when `fd` is the process's stdout, descriptor 1 is pointed at stderr, so a
// stray printf or a logger left on its default stdout sink cannot corrupt the stream.
class ProtocolOutput {
 public:
  explicit ProtocolOutput(int fd);
  ~ProtocolOutput();
  ProtocolOutput(const ProtocolOutput&) = delete;
  ProtocolOutput& operator=(const ProtocolOutput&) = delete;

  // Where protocol messages go.
  int fd() const { return protocol_fd_; }

 private:
  int protocol_fd_ = -1;
  bool redirected_stdout_ = false;
};

}  // namespace transports
