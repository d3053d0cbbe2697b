// Reads newline-delimited messages from a file descriptor, never holding more than
// `max_line_bytes` of one line: the rest of an over-long line is read and dropped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace transports {

class LineReader {
 public:
  enum class Event {
    kLine,     // `line` holds one message (without the newline; a trailing \r is dropped)
    kTooLong,  // a line longer than the limit was discarded
    kEnd,      // end of input
    kStopped,  // `stop_fd` became readable (a stop was requested)
    kError,    // reading failed (errno was logged)
  };

  // `stop_fd`: a descriptor that becomes readable when reading should stop; -1 for none.
  LineReader(int fd, int stop_fd, std::size_t max_line_bytes);

  // Blocks until the next event. Blank lines are skipped. With `spin`, it first
  // looks for input for a short while without sleeping (see kSpinBeforeSleeping):
  // for a caller with nothing else to run, whose CPU time would not be missed.
  Event Next(std::string& line, bool spin = false);

 private:
  // Waits for and reads more input into buffer_ (or notes the end of input). Returns
  // nothing then, or kStopped / kError when reading must stop.
  std::optional<Event> Fill(bool spin);

  int fd_;
  int stop_fd_;
  std::size_t max_line_bytes_;
  std::string buffer_;       // input not yet returned starts at begin_
  std::size_t begin_ = 0;
  std::size_t scanned_ = 0;  // bytes after begin_ already known to hold no newline
  bool discarding_ = false;  // inside an over-long line, dropping bytes up to its newline
  bool at_end_ = false;
};

}  // namespace transports
