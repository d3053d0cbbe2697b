#include "store/usage_recorder.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace rm::store {

void UsageRecorder::Record(UsageEvent event) {
  bool first;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queued_.push_back(std::move(event));
    first = queued_.size() == 1;
  }
  // One write-behind job per group of events: the first event of a group schedules it,
  // and the job takes whatever has been queued by the time it runs. (Not scheduled
  // under the lock: WriteLater may run the job right here when its queue is full.)
  if (first) {
    db_.WriteLater([this](Connection& conn) { return RecordUsageBatch(conn, TakeQueued()); });
  }
}

void UsageRecorder::Flush() {
  // An event may be queued while its group's job is not scheduled yet (another thread
  // is between its push and its WriteLater): commit such events here.
  std::vector<UsageEvent> events = TakeQueued();
  if (!events.empty()) {
    Status status = db_.Write([&](Connection& conn) { return RecordUsageBatch(conn, events); });
    // As for a failed write-behind job: logged, and only these events are lost.
    if (!status.ok()) spdlog::error("metering {} reads failed: {}", events.size(), status.ToString());
  }
  db_.FlushWritesLater();
}

std::vector<UsageEvent> UsageRecorder::TakeQueued() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(queued_, {});
}

}  // namespace rm::store
