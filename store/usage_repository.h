// Metering (SPEC §4): one usage_events row per successful tool call, and the
// monthly_usage aggregate, written in the transaction of the call itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

enum class UsageOperation { kMemoryWrite, kMemoryRead, kQuery };

// "memory_write", "memory_read", "query" (usage_events.operation).
const char* UsageOperationName(UsageOperation op);

struct UsageEvent {
  std::string id;  // a UUID (time-ordered for the calls' events: NewTimeOrderedUuid)
  std::string user_id;
  UsageOperation operation = UsageOperation::kMemoryRead;
  std::string origin;                     // the caller's vendor, or "api"
  std::optional<std::string> request_key; // unique per user (see docs/SCHEMA.md), or none
  std::string created_at;                 // its month is the billing month
};

struct MonthUsage {
  std::int64_t writes = 0;
  std::int64_t reads = 0;
  std::int64_t queries = 0;
  std::int64_t total_ops = 0;
};

// Inserts the event and adds it to monthly_usage of its UTC month.
Status RecordUsage(Connection& conn, const UsageEvent& event);
// RecordUsage for many events at once, with one monthly_usage update per user and month.
Status RecordUsageBatch(Connection& conn, const std::vector<UsageEvent>& events);
// The user's counters for `month` ("YYYY-MM"); zeros when nothing was recorded.
Result<MonthUsage> GetMonthUsage(Connection& conn, std::string_view user_id, std::string_view month);

// "2026-12" -> "2026-12-01T00:00:00.000Z": where a month's events start, in the store's
// timestamp form (compared as a timestamp on PostgreSQL, as text on SQLite, alike).
std::string MonthStart(std::string_view month);
// "2026-12" -> "2027-01". `month` is a validated YYYY-MM.
std::string NextMonth(std::string_view month);
// The same counters for the calls of one origin (a vendor) only, from usage_events: what an
// agent key is told, since the account's totals would show other vendors' activity.
Result<MonthUsage> GetMonthUsageOfOrigin(Connection& conn, std::string_view user_id, std::string_view origin,
                                         std::string_view month);
// The same counters for every origin, counted from usage_events: what monthly_usage must
// hold for that user and month (`reflect-memory check` compares the two).
Result<MonthUsage> CountMonthUsageEvents(Connection& conn, std::string_view user_id, std::string_view month);

}  // namespace rm::store
