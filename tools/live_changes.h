// LiveChanges: the change feed of one process, and who listens to it.
//
// After a write's transaction commits, the memory service publishes what it changed
// (MemoryChange: each memory's access columns just before and just after). A single
// dispatcher thread — never the writer's — takes the published changes in batches and,
// for each listener (a user + vendor, through a credential), decides with the store's
// one visibility rule (store::MayRead over the captured columns, the listener's org and
// team read fresh for the batch) what it may hear of:
//
//   - updated:      every changed memory it could read BEFORE or AFTER the change
//                   (so a delete, an unshare or a vendor change that hides a memory from
//                   it is told to those who could read it until then — they knew the id —
//                   and never to anyone who could not);
//   - list_changed: some changed memory entered or left what it can read.
//
// Revocation: at most once every `key_recheck_interval` (a second) the dispatcher re-checks
// the API keys of the open listeners, and ends (Dropped) those whose key was revoked — a
// revoked key stops working within a second, streams included (SPEC §2).
//
// Bounded: at most `listeners_per_key` listeners per credential (Listen refuses more);
// at most `max_pending_changes` changes wait for the dispatcher — beyond that every
// listener is dropped (told Dropped(), its stream ends) rather than queueing without
// limit; a listener's own transport bounds what waits for its client (docs/PROTOCOL.md).
//
// Several processes (PostgreSQL): with a store::ChangeBus attached, every committed change
// is also sent to the other processes, and what they send is dispatched here like a local
// change (the same per-listener decision, made by the receiving process). A process never
// hears its own changes back. If the bus says changes may have been missed (its connection
// dropped), every listener is ended, as on overflow, so its client listens again and
// re-reads rather than believing it missed nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcp/resource.h"
#include "store/change_bus.h"
#include "store/database.h"
#include "store/memory_access.h"
#include "util/status.h"

namespace rm::tools {

// One memory a committed write changed; nullopt: it did not exist before / no longer exists.
struct MemoryChange {
  std::string memory_id;
  std::optional<store::MemoryAccess> before;
  std::optional<store::MemoryAccess> after;
};

// Who listens: the identity the listener's notifications are checked for.
struct ListenerIdentity {
  std::string key;   // the credential (caps listeners per key)
  std::optional<std::string> key_id;  // api_keys.id when an API key was used: re-checked for revocation
  std::string user_id;
  std::optional<std::string> vendor;  // nullopt: an owner key, no vendor filter
};

class LiveChanges : public std::enable_shared_from_this<LiveChanges> {
 public:
  struct Limits {
    std::size_t listeners_per_key = 16;
    std::size_t max_pending_changes = 100000;
    std::chrono::milliseconds key_recheck_interval{1000};
  };

  static std::shared_ptr<LiveChanges> Create(store::Store& db, Limits limits);
  ~LiveChanges();
  LiveChanges(const LiveChanges&) = delete;
  LiveChanges& operator=(const LiveChanges&) = delete;

  // True while anyone listens — with a bus attached, always (another process may be
  // listening): writers capture snapshots only then.
  bool listening() const;
  // Sends this process's changes to the others on `bus` and dispatches theirs here. Call
  // once, before the first write; the bus stops before this object goes.
  void AttachBus(std::shared_ptr<store::ChangeBus> bus);
  // Hands committed changes to the dispatcher; returns at once.
  void Publish(std::vector<MemoryChange> changes);

  // Registers `listener` for `who` until the handle is released; QuotaExceeded at the cap.
  Result<mcp::ListenHandle> Listen(ListenerIdentity who, std::shared_ptr<mcp::ResourceListener> listener);

  // Listeners registered now.
  std::size_t listeners() const;
  // Waits until every change published so far has been dispatched (tests).
  void Flush();

 private:
  struct Entry {
    ListenerIdentity who;
    std::shared_ptr<mcp::ResourceListener> listener;
  };

  LiveChanges(store::Store& db, Limits limits);
  void Remove(std::uint64_t id);
  // Queues changes for the local listeners (not for the bus).
  void Enqueue(std::vector<MemoryChange> changes);
  // What another process sent (on the bus's thread).
  void Received(std::string_view payload);
  void Run();
  void Dispatch(const std::vector<MemoryChange>& batch, const std::map<std::uint64_t, Entry>& listeners);
  // Ends the listeners whose API key no longer works, and takes them out of `listeners`.
  void EndRevokedListeners(std::map<std::uint64_t, Entry>& listeners);

  store::Store& db_;
  const Limits limits_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::map<std::uint64_t, Entry> listeners_;
  std::uint64_t next_id_ = 1;
  std::vector<MemoryChange> pending_;
  bool overflowed_ = false;
  bool missed_ = false;  // the bus may have lost changes: every listener is ended
  bool dispatching_ = false;
  bool stop_ = false;
  std::atomic<std::size_t> count_{0};  // listeners_.size(), read without the lock
  std::thread thread_;  // started with the first listener
  std::chrono::steady_clock::time_point last_key_check_{};  // the dispatcher thread's own
  std::shared_ptr<store::ChangeBus> bus_;  // set once, before any write
};

// The URI of a memory as a resource.
std::string MemoryUri(const std::string& id);

}  // namespace rm::tools
