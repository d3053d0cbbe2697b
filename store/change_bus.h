// ChangeBus: short text messages from one server process to the other processes sharing
// the store — how a change one process commits reaches listeners connected to another
// (tools/live_changes.h). Engine-neutral: the store knows nothing of what the messages
// say. SQLite has one process and needs none; PostgreSQL's is LISTEN/NOTIFY
// (store/postgres/pg_change_bus.h).
//
// Delivery is best effort, in order per sender, and never back to the sender itself.
// When messages may have been lost (the bus lost its connection), `lost` is called once
// the bus is back, so the receiver can tell its listeners they missed something.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace rm::store {

class ChangeBus {
 public:
  using Receiver = std::function<void(std::string_view payload)>;
  using Lost = std::function<void()>;

  virtual ~ChangeBus() = default;

  // The largest payload Publish carries, in bytes.
  virtual std::size_t max_payload() const = 0;
  // Queues `payload` (at most max_payload() bytes) for every other process; returns at once.
  virtual void Publish(std::string payload) = 0;
  // Starts receiving: `receive` and `lost` are called on the bus's own thread. Once only.
  virtual void Start(Receiver receive, Lost lost) = 0;
  // Stops receiving and sending and joins the bus's thread; no callback runs after it
  // returns. Idempotent (the destructor calls it too).
  virtual void Stop() = 0;
};

}  // namespace rm::store
