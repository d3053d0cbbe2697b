// The Usage page through the app's route table: this month's calls by vendor match the usage
// events recorded, the plan's limits are bars with numbers, and the daily chart has one bar
// per day of the 30- or 90-day view.
#include <chrono>
#include <string>

#include "store/api_keys.h"
#include "store/usage_repository.h"
#include "tests/web/web_test_support.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::web::testing {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;

class UsagePage : public ::testing::Test {
 protected:
  Response Usage(const std::string& query = "") {
    for (const Route& route : web_.app().Routes()) {
      if (route.path == "/usage") return route.handle(Get("/usage", query, browser_.cookie));
    }
    ADD_FAILURE() << "no /usage route";
    return {};
  }

  // `n` events of `op` from `origin`, `days_ago` days before now.
  void Record(const std::string& origin, store::UsageOperation op, int n, int days_ago = 0) {
    const std::string when = FormatUtc(system_clock::now() - hours(24 * days_ago));
    ASSERT_TRUE(web_.db().Write([&](store::Connection& c) -> Status {
      for (int i = 0; i < n; ++i) {
        RM_RETURN_IF_ERROR(store::RecordUsage(c, {NewUuid(), web_.user_id(), op, origin, std::nullopt, when}));
      }
      return Status::Ok();
    }).ok());
  }

  static std::size_t Count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
  }

  static std::string DaysAgo(int days) {
    return FormatUtc(system_clock::now() - hours(24 * days)).substr(0, 10);
  }

  WebFixture web_;
  WebFixture::Browser browser_ = web_.SignedIn();
};

TEST_F(UsagePage, UnsignedVisitorsAreSentToSignIn) {
  for (const Route& route : web_.app().Routes()) {
    if (route.path != "/usage") continue;
    Response page = route.handle(Get("/usage", "days=90"));
    EXPECT_EQ(page.status, 303);
    EXPECT_EQ(HeaderOf(page, "Location").rfind("/signin?", 0), 0u);
    EXPECT_EQ(LocationQuery(page).Get("next"), "/usage?days=90");  // back here after signing in
    return;
  }
  ADD_FAILURE() << "no /usage route";
}

TEST_F(UsagePage, ThisMonthsCallsByVendorMatchTheRecordedEvents) {
  Record("cursor", store::UsageOperation::kMemoryRead, 4);
  Record("cursor", store::UsageOperation::kMemoryWrite, 2);
  Record("claude", store::UsageOperation::kQuery, 3);
  Record("claude", store::UsageOperation::kMemoryRead, 1);
  Response page = Usage();
  ASSERT_EQ(page.status, 200);
  // Reads, writes, queries, total.
  EXPECT_NE(page.body.find("<th scope=\"row\">cursor</th><td>4</td><td>2</td><td>0</td><td>6</td>"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("<th scope=\"row\">claude</th><td>1</td><td>0</td><td>3</td><td>4</td>"), std::string::npos);
  EXPECT_NE(page.body.find("<th scope=\"row\">All</th><td>5</td><td>2</td><td>3</td><td>10</td>"), std::string::npos);
  EXPECT_NE(page.body.find(MonthOf(NowUtc())), std::string::npos);
}

TEST_F(UsagePage, AnOriginIsShownAsText) {
  Record("x<img src=x>", store::UsageOperation::kMemoryRead, 1);
  Response page = Usage();
  EXPECT_NE(page.body.find("x&lt;img src=x&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<img src=x>"), std::string::npos);
}

TEST_F(UsagePage, PlanLimitsAreBarsWithNumbers) {
  Response empty = Usage();
  EXPECT_NE(empty.body.find("Plan: free"), std::string::npos);
  EXPECT_NE(empty.body.find("Memories stored: 0 of 200"), std::string::npos);
  EXPECT_NE(empty.body.find("Active API keys: 0 of 2"), std::string::npos);
  EXPECT_EQ(Count(empty.body, "<div class=\"bar\""), 2u);

  ASSERT_TRUE(store::WriteValue<store::CreatedApiKey>(web_.db(), [&](store::Connection& c) {
                return store::CreateApiKey(c, {web_.user_id(), "k", std::string("cursor")});
              }).ok());
  Response one_key = Usage();
  EXPECT_NE(one_key.body.find("Active API keys: 1 of 2"), std::string::npos);
  EXPECT_NE(one_key.body.find("aria-label=\"Active API keys: 1 of 2\"><span style=\"width:50%\"></span></div>"),
            std::string::npos)
      << one_key.body;
}

TEST_F(UsagePage, TheChartHasOneBarPerDayOfTheView) {
  Record("cursor", store::UsageOperation::kMemoryRead, 2, 2);
  Record("cursor", store::UsageOperation::kMemoryWrite, 1, 2);
  Record("claude", store::UsageOperation::kQuery, 5, 40);

  Response thirty = Usage();
  ASSERT_EQ(thirty.status, 200);
  EXPECT_EQ(Count(thirty.body, "<rect class=\"day\""), 30u);
  EXPECT_NE(thirty.body.find("<svg role=\"img\" aria-label=\"Operations per day from " + DaysAgo(29) + " to " +
                             DaysAgo(0) + ": 3 in total, at most 3 on one day\""),
            std::string::npos)
      << thirty.body;
  EXPECT_NE(thirty.body.find("<title>" + DaysAgo(2) + ": 3 operations (2 reads, 1 write, 0 queries)</title>"),
            std::string::npos);
  EXPECT_EQ(thirty.body.find(DaysAgo(40) + ": 5 operations"), std::string::npos);  // older than 30 days
  EXPECT_NE(thirty.body.find("<a href=\"/usage?days=30\" aria-current=\"page\">"), std::string::npos);

  Response ninety = Usage("days=90");
  EXPECT_EQ(Count(ninety.body, "<rect class=\"day\""), 90u);
  EXPECT_NE(ninety.body.find("<title>" + DaysAgo(40) + ": 5 operations (0 reads, 0 writes, 5 queries)</title>"),
            std::string::npos);
  EXPECT_NE(ninety.body.find("<a href=\"/usage?days=90\" aria-current=\"page\">"), std::string::npos);

  // Any other span is the 30-day view.
  EXPECT_EQ(Count(Usage("days=100000").body, "<rect class=\"day\""), 30u);
}

}  // namespace
}  // namespace rm::web::testing
