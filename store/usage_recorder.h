// UsageRecorder: meters reads without making them wait for a commit.
//
// A read's answer does not depend on its usage row, so Record() only queues the
// event. The queued events go to the database together, as one write-behind job
// (Database::WriteLater): all their usage_events rows plus one monthly_usage update
// per user and month, in one transaction. Under load that is dozens of events per
// commit instead of one upsert of the same monthly_usage row per call.
//
// As with WriteLater, events queued in the last few milliseconds before the process
// is killed are lost; a graceful stop (Database's destructor) commits them.
#pragma once

#include <mutex>
#include <vector>

#include "store/store.h"
#include "store/usage_repository.h"

namespace rm::store {

class UsageRecorder {
 public:
  explicit UsageRecorder(Store& db) : db_(db) {}
  ~UsageRecorder() { Flush(); }  // the queued jobs refer to this object
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;

  // Queues the event; it is committed within the database's write-behind delay.
  void Record(UsageEvent event);
  // Returns once every event recorded before the call is committed (or has failed),
  // along with everything else queued by WriteLater.
  void Flush();

 private:
  // Takes the queued events (the write-behind job, or Flush, whichever comes first).
  std::vector<UsageEvent> TakeQueued();

  Store& db_;
  std::mutex mutex_;
  std::vector<UsageEvent> queued_;
};

}  // namespace rm::store
