#include "store/postgres/pg_change_bus.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace rm::store::postgres {
namespace {

constexpr std::size_t kMaxQueued = 10000;
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// One LISTENing connection; closed when it goes.
class PgChangeBus::Link {
 public:
  static std::unique_ptr<Link> Open(const std::string& conninfo, const std::string& channel) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    auto link = std::unique_ptr<Link>(new Link(conn));
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      spdlog::warn("change bus: cannot connect to PostgreSQL: {}", conn ? Trimmed(PQerrorMessage(conn)) : "no memory");
      return nullptr;
    }
    PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
    // The channel is ours (a constant identifier), never a client's text.
    if (!link->Command("LISTEN " + channel)) return nullptr;
    return link;
  }
  ~Link() {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  int socket() const { return PQsocket(conn_); }
  int backend_pid() const { return PQbackendPID(conn_); }

  bool Command(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok) spdlog::warn("change bus: {} failed: {}", sql, Trimmed(PQerrorMessage(conn_)));
    PQclear(result);
    return ok;
  }

  // Sends one notification; false when the connection failed.
  bool Notify(const std::string& channel, const std::string& payload) {
    const char* values[2] = {channel.c_str(), payload.c_str()};
    PGresult* result = PQexecParams(conn_, "SELECT pg_notify($1, $2)", 2, nullptr, values, nullptr, nullptr, 0);
    const bool ok = result != nullptr && PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!ok) spdlog::warn("change bus: pg_notify failed: {}", Trimmed(PQerrorMessage(conn_)));
    PQclear(result);
    return ok || PQstatus(conn_) == CONNECTION_OK;  // a refused payload is dropped, not retried
  }

  // Reads what arrived and hands other processes' payloads to `receive`; false when the
  // connection failed.
  bool Drain(const Receiver& receive) {
    if (PQconsumeInput(conn_) == 0) {
      spdlog::warn("change bus: lost the PostgreSQL connection: {}", Trimmed(PQerrorMessage(conn_)));
      return false;
    }
    const int own = backend_pid();
    while (PGnotify* n = PQnotifies(conn_)) {
      if (n->be_pid != own && receive) receive(n->extra);
      PQfreemem(n);
    }
    return PQstatus(conn_) == CONNECTION_OK;
  }

 private:
  explicit Link(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
};

PgChangeBus::PgChangeBus(std::string conninfo, std::string channel)
    : conninfo_(std::move(conninfo)), channel_(std::move(channel)) {
  if (pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) {
    wake_[0] = wake_[1] = -1;
    spdlog::error("change bus: cannot create its wake-up pipe; it will notice new changes within a second");
  }
}

PgChangeBus::~PgChangeBus() {
  Stop();
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

void PgChangeBus::Start(Receiver receive, Lost lost) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stop_) return;
  receive_ = std::move(receive);
  lost_ = std::move(lost);
  thread_ = std::thread([this] { Run(); });
}

void PgChangeBus::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PgChangeBus::Publish(std::string payload) {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    if (outgoing_.size() >= kMaxQueued) {
      spdlog::warn("change bus: {} notifications wait to be sent; dropping the oldest", outgoing_.size());
      outgoing_.pop_front();
    }
    outgoing_.push_back(std::move(payload));
  }
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
}

bool PgChangeBus::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

void PgChangeBus::Run() {
  std::unique_ptr<Link> link;
  auto backoff = kFirstBackoff;
  bool ever_connected = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    if (!link) {
      link = Link::Open(conninfo_, channel_);
      {
        std::lock_guard lock(mutex_);
        connected_ = link != nullptr;
      }
      if (!link) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, backoff, [this] { return stop_; });
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        continue;
      }
      backoff = kFirstBackoff;
      if (ever_connected) {
        spdlog::info("change bus: reconnected to PostgreSQL; changes other processes made meanwhile were missed");
        if (lost_) lost_();
      }
      ever_connected = true;
    }
    // Send what waits, oldest first; on a failure it stays queued for the next connection.
    bool healthy = true;
    for (;;) {
      std::string payload;
      {
        std::lock_guard lock(mutex_);
        if (outgoing_.empty() || stop_) break;
        payload = outgoing_.front();
      }
      if (!link->Notify(channel_, payload)) {
        healthy = false;
        break;
      }
      std::lock_guard lock(mutex_);
      if (!outgoing_.empty()) outgoing_.pop_front();
    }
    if (healthy) healthy = link->Drain(receive_);
    if (!healthy) {
      link.reset();
      std::lock_guard lock(mutex_);
      connected_ = false;
      continue;
    }
    pollfd fds[2] = {{link->socket(), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    // A second at most: a wake-up lost to a full pipe costs no more than that.
    const int ready = poll(fds, wake_[0] >= 0 ? 2 : 1, 1000);
    if (ready > 0 && wake_[0] >= 0 && (fds[1].revents & POLLIN) != 0) {
      char drain[64];
      while (read(wake_[0], drain, sizeof drain) > 0) {
      }
    }
  }
}

}  // namespace rm::store::postgres
