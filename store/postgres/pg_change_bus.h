// PgChangeBus: the ChangeBus of processes sharing one PostgreSQL database, over
// LISTEN/NOTIFY on one channel.
//
// One dedicated libpq connection per process (not one of the store's pool: LISTEN belongs
// to a session, and a pooled connection is lent to any transaction). Its thread LISTENs,
// sends what Publish queued with pg_notify (autocommit, so it is sent at once), and waits on
// the socket (poll + PQconsumeInput/PQnotifies) or for Publish to wake it. Its own
// notifications come back to it too (PostgreSQL delivers to every listener, the sender
// included); they are recognised by the backend pid and skipped, so a process never hears
// its own changes twice. A dropped connection is reopened with backoff (100 ms doubling to
// 2 s); then `lost` is called, since other processes' notifications sent meanwhile are gone.
// Payloads queued while disconnected wait (at most 10,000; older ones beyond are dropped)
// and are sent once connected.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/change_bus.h"

namespace rm::store::postgres {

class PgChangeBus final : public ChangeBus {
 public:
  // `conninfo`: a libpq conninfo or postgresql:// URL (the store's). `channel`: a plain
  // identifier (letters, digits, '_'), the same in every process that should hear each other.
  PgChangeBus(std::string conninfo, std::string channel);
  ~PgChangeBus() override;

  // NOTIFY's payload limit is 8000 bytes; a little is kept for the channel name.
  std::size_t max_payload() const override { return 7900; }
  void Publish(std::string payload) override;
  void Start(Receiver receive, Lost lost) override;
  void Stop() override;

  // True once the bus has LISTENed on a connection (tests wait for it).
  bool connected() const;

 private:
  class Link;  // the libpq connection (pg_change_bus.cc)
  void Run();

  const std::string conninfo_;
  const std::string channel_;
  Receiver receive_;
  Lost lost_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> outgoing_;
  bool stop_ = false;
  bool connected_ = false;
  int wake_[2] = {-1, -1};  // a pipe: Publish and Stop write a byte to end the thread's poll
  std::thread thread_;
};

}  // namespace rm::store::postgres
