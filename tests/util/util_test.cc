#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "util/clock.h"
#include "util/crypto.h"
#include "util/status.h"

namespace rm {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, RandomHexHasRequestedLengthAndVaries) {
  std::string a = RandomHex(24), b = RandomHex(24);
  EXPECT_EQ(a.size(), 48u);
  EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{48}")));
  EXPECT_NE(a, b);
}

TEST(Crypto, UuidIsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(std::regex_match(u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))) << u;
    EXPECT_TRUE(seen.insert(u).second);
  }
}

TEST(Crypto, TimeOrderedUuidIsVersion7AndSortsByCreationTime) {
  const std::regex v7("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const auto ms_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::set<std::string> seen;
  std::string earlier = NewTimeOrderedUuid();
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewTimeOrderedUuid();
    EXPECT_TRUE(std::regex_match(u, v7)) << u;
    EXPECT_TRUE(seen.insert(u).second);
  }
  // The first 48 bits are the Unix time in milliseconds.
  const std::string hex = earlier.substr(0, 8) + earlier.substr(9, 4);
  EXPECT_NEAR(static_cast<double>(std::stoll(hex, nullptr, 16)), static_cast<double>(ms_now), 1000.0);
  // Ids made in a later millisecond sort after the earlier ones.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(earlier, NewTimeOrderedUuid());
  EXPECT_LT(*seen.rbegin(), NewTimeOrderedUuid());
}

TEST(Clock, FormatsUtcIso8601) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764031293123LL));
  EXPECT_EQ(FormatUtc(t), "2025-11-25T00:41:33.123Z");
  EXPECT_EQ(MonthOf(FormatUtc(t)), "2025-11");
}

TEST(Clock, NowIsStrictlyIncreasing) {
  std::string prev = NowUtc();
  for (int i = 0; i < 5000; ++i) {
    std::string next = NowUtc();
    ASSERT_LT(prev, next);
    prev = next;
  }
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::QuotaExceeded("free plan allows 200 memories");
  EXPECT_FALSE(s.ok());
  EXPECT_STREQ(s.code_name(), "quota_exceeded");
  EXPECT_EQ(s.ToString(), "quota_exceeded: free plan allows 200 memories");
  Result<int> r = Status::NotFound("x");
  EXPECT_FALSE(r.ok());
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
}

}  // namespace
}  // namespace rm
