// Time as the store keeps it: UTC, ISO-8601 text that sorts as it reads.
#pragma once

#include <chrono>
#include <string>

namespace rm {

// "2026-11-25T00:41:33.123Z" for `t` (millisecond precision, always UTC).
std::string FormatUtc(std::chrono::system_clock::time_point t);

// FormatUtc(now). Timestamps of one process never go backwards and never repeat,
// so "newest first" orderings are stable even for writes in the same millisecond.
std::string NowUtc();

// The billing month "YYYY-MM" (UTC) of an ISO timestamp produced above.
std::string MonthOf(const std::string& iso_timestamp);

}  // namespace rm
