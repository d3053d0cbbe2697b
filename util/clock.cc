#include "util/clock.h"

#include <atomic>
#include <cstdio>
#include <ctime>

namespace rm {

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // roomy enough that -Wformat-truncation can prove it fits
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string NowUtc() {
  using namespace std::chrono;
  // Monotonic at millisecond granularity: if the wall clock has not advanced
  // (or went back), hand out the last value + 1 ms.
  static std::atomic<long long> last_ms{0};
  long long now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  long long prev = last_ms.load();
  long long next;
  do {
    next = now_ms > prev ? now_ms : prev + 1;
  } while (!last_ms.compare_exchange_weak(prev, next));
  return FormatUtc(system_clock::time_point(milliseconds(next)));
}

std::string MonthOf(const std::string& iso_timestamp) { return iso_timestamp.substr(0, 7); }

}  // namespace rm
