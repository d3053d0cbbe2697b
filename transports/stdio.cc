#include "transports/stdio.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "mcp/session.h"
#include "transports/line_reader.h"
#include "transports/line_writer.h"
#include "transports/process_guards.h"

namespace transports {
namespace {

// Requests waiting for a thread before the reader stops reading to run one itself.
constexpr std::size_t kMaxBacklog = 1024;

// Whether the reading thread should handle a message itself without giving up the
// reading: messages that expect no response (above all notifications/cancelled, which
// must never wait behind busy threads), initialize (everything after it depends on
// it), ping (a slow tool must never delay it), and anything that is not a request.
// The same rule serves both eras: a 2026-07-28 request (params._meta names its revision)
// depends on no earlier line, so it goes to a worker like any other; a 2026-07-28 ping or
// initialize is a method that revision lacks, answered at once with -32601; and its
// notifications/cancelled stops the request it names, as in the legacy era. The
// credential re-check (CredentialWithdrawn) runs before any line is read, whatever its era.
bool HandleWhileReading(const mcp::MessageInfo& info) {
  return !info.has_requests || info.is_initialize || info.method == "ping";
}

// The JSON-RPC code of a request refused because the credential was withdrawn (JSON-RPC's
// server-error range, as HTTP's transport errors).
constexpr int kCredentialWithdrawn = -32000;

// The error responses refusing every request of `line` (a message or a batch) with `why`;
// nothing if it holds no request.
std::optional<std::string> Refusal(const std::string& line, const std::string& why) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(line, ec);
  if (ec) return std::nullopt;
  const auto refuse = [&](const boost::json::value& message) -> std::optional<boost::json::object> {
    const boost::json::object* object = message.if_object();
    if (!object || !object->contains("method") || !object->contains("id")) return std::nullopt;
    return mcp::jsonrpc::MakeError(mcp::jsonrpc::ResponseIdOf(message), kCredentialWithdrawn, why);
  };
  if (const boost::json::array* batch = parsed.if_array()) {
    boost::json::array errors;
    for (const boost::json::value& message : *batch) {
      if (auto error = refuse(message)) errors.push_back(std::move(*error));
    }
    if (errors.empty()) return std::nullopt;
    return boost::json::serialize(errors);
  }
  if (auto error = refuse(parsed)) return boost::json::serialize(*error);
  return std::nullopt;
}

std::string TooLongError(std::size_t limit) {
  return boost::json::serialize(mcp::jsonrpc::MakeError(
      nullptr, mcp::jsonrpc::kInvalidRequest,
      "Invalid request: a message longer than " + std::to_string(limit) +
          " bytes was discarded; send smaller messages"));
}

// Serves one stdio session with a few threads in the "leader/followers" arrangement:
// one thread at a time (the leader) reads stdin. When it reads a request and another
// thread is idle, it hands the reading over and runs the request itself, so a request
// starts on the thread that read it, without waking another thread first (that wake-up
// costs tens of microseconds, more than the request). When every other thread is
// busy, the leader keeps reading and leaves requests in a backlog that threads take
// as they finish: pings and cancellations are always read.
//
// Whichever thread runs a request, the session judges it as it stood when the leader
// read it (mcp::Session::Receive): tools/list read just before initialize is refused
// even if initialize, read next, finishes first.
class ServeLoop {
 public:
  ServeLoop(LineReader& reader, LineWriter& writer, mcp::Session& session, const StdioOptions& options)
      : reader_(reader),
        writer_(writer),
        session_(session),
        max_line_bytes_(options.max_line_bytes),
        recheck_(options.recheck_credential),
        recheck_interval_(options.credential_recheck_interval) {}

  // Runs `threads` threads (at least 2) until the input ends and every request is answered.
  // Returns 0, or 1 if reading failed.
  int Run(unsigned threads) {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < std::max(threads, 2u); ++i) pool.emplace_back([this] { Thread(); });
    for (auto& t : pool) t.join();
    return exit_code_;
  }

 private:
  void Thread() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!backlog_.empty()) {
        mcp::ReceivedMessage message = std::move(backlog_.front());
        backlog_.pop_front();
        lock.unlock();
        Respond(std::move(message));
        lock.lock();
      } else if (input_done_) {
        return;
      } else if (has_leader_) {
        ++idle_;
        changed_.wait(lock);
        --idle_;
      } else {
        has_leader_ = true;
        lock.unlock();
        Lead();
        lock.lock();
      }
    }
  }

  // Reads until this thread has a request to run itself, or the input ends.
  void Lead() {
    bool answered_last = false;  // the last message read was answered by this thread
    for (;;) {
      std::string line;
      // After answering a message itself (a ping, a notification, initialize), the
      // leader looks for the next one without sleeping for a moment, unless a
      // request runs on another thread: spinning would take a core from it.
      // (Spinning after handing a request to another thread, measured, slowed
      // tools/call round trips 3-fold.)
      const bool spin = answered_last && running_.load(std::memory_order_relaxed) == 0;
      const LineReader::Event event = writer_.failed() ? LineReader::Event::kEnd : reader_.Next(line, spin);
      answered_last = false;
      switch (event) {
        case LineReader::Event::kLine: {
          spdlog::debug("stdio: received {} bytes", line.size());
          if (CredentialWithdrawn(line)) return EndInput(1);
          mcp::ReceivedMessage message = session_.Receive(line);  // in stream order, on this thread
          if (HandleWhileReading(message.info())) {
            Respond(std::move(message));
            answered_last = true;
            continue;
          }
          std::unique_lock lock(mutex_);
          if (idle_ > 0) {
            has_leader_ = false;  // an idle thread (or this one, if it comes back first) reads on
            changed_.notify_one();
            lock.unlock();
            Respond(std::move(message));
            return;
          }
          if (backlog_.size() < kMaxBacklog) {
            backlog_.push_back(std::move(message));
            continue;
          }
          lock.unlock();
          Respond(std::move(message));  // flooded: stop reading until this one is done
          continue;
        }
        case LineReader::Event::kTooLong:
          spdlog::warn("stdio: discarded a message over {} bytes", max_line_bytes_);
          writer_.Write(TooLongError(max_line_bytes_));
          continue;
        case LineReader::Event::kEnd:
          spdlog::info("stdio: end of input; finishing requests in progress");
          return EndInput(0);
        case LineReader::Event::kStopped:
          spdlog::info("stdio: stop requested; finishing requests in progress");
          return EndInput(0);
        case LineReader::Event::kError:
          return EndInput(1);
      }
    }
  }

  // Re-checks the credential when it is due (StdioOptions::recheck_credential); once it is
  // withdrawn, refuses the request in `line` and answers true: nothing more may be read.
  // Only the leader calls it, and leadership passes under mutex_, so last_check_ needs no lock.
  bool CredentialWithdrawn(const std::string& line) {
    if (!recheck_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check_ <= recheck_interval_) return false;
    last_check_ = now;
    const std::optional<std::string> why = recheck_();
    if (!why) return false;
    spdlog::error("stdio: {}; refusing further requests and stopping", *why);
    if (auto refusal = Refusal(line, *why)) writer_.Write(*refusal);
    return true;
  }

  void EndInput(int exit_code) {
    std::lock_guard lock(mutex_);
    input_done_ = true;
    exit_code_ = exit_code;
    changed_.notify_all();
  }

  void Respond(mcp::ReceivedMessage message) {
    running_.fetch_add(1, std::memory_order_relaxed);
    if (auto response = session_.Handle(std::move(message))) writer_.Write(*response);
    running_.fetch_sub(1, std::memory_order_relaxed);
  }

  LineReader& reader_;
  LineWriter& writer_;
  mcp::Session& session_;
  const std::size_t max_line_bytes_;
  const std::function<std::optional<std::string>()> recheck_;
  const std::chrono::steady_clock::duration recheck_interval_;
  std::chrono::steady_clock::time_point last_check_ = std::chrono::steady_clock::now();

  std::atomic<int> running_{0};  // messages being handled, by any thread

  std::mutex mutex_;  // guards the members below
  std::condition_variable changed_;
  bool has_leader_ = false;
  bool input_done_ = false;
  unsigned idle_ = 0;               // threads waiting to lead
  std::deque<mcp::ReceivedMessage> backlog_;  // requests read while every thread was busy
  int exit_code_ = 0;
};

}  // namespace

int RunStdio(const mcp::ServerDefinition& server, std::any principal, StdioOptions options) {
  // A client that goes away must surface as a failed write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  ProtocolOutput output(options.output_fd);
  LineWriter writer(output.fd());
  std::optional<StopSignal> stop;
  if (options.handle_signals) stop.emplace();

  mcp::Session session(server, std::move(principal),
                       [&writer](std::string message) { writer.Write(message); });
  LineReader reader(options.input_fd, stop ? stop->fd() : -1, options.max_line_bytes);
  spdlog::info("stdio: serving MCP (one JSON-RPC message per line)");

  int exit_code = ServeLoop(reader, writer, session, options).Run(options.worker_threads);
  if (writer.failed()) exit_code = 1;
  spdlog::info("stdio: done (exit code {})", exit_code);
  return exit_code;
}

}  // namespace transports
