// The Usage page (web/usage_page.h).
#include "web/usage_page.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/api_keys.h"
#include "store/memory_repository.h"
#include "store/plans.h"
#include "store/usage_daily.h"
#include "store/usage_repository.h"
#include "util/clock.h"
#include "web/dashboard_page.h"
#include "web/html.h"

namespace rm::web {
namespace {

using Day = std::chrono::sys_days;

struct UsageData {
  std::string month;
  store::MonthUsage total;
  std::vector<store::OriginUsage> origins;
  std::optional<store::PlanLimits> limits;
  std::int64_t memories = 0;
  std::int64_t active_keys = 0;
  std::vector<store::DayUsage> days;  // only days with calls
};

std::string DayText(Day day) {
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return text;
}

// SVG coordinates with one decimal: enough for a chart, and short.
std::string Num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Breakdown(const store::MonthUsage& usage) {
  return Plural(usage.reads, "read", "reads") + ", " + Plural(usage.writes, "write", "writes") + ", " +
         Plural(usage.queries, "query", "queries");
}

// The smallest of 1, 2, 5, 10, 20, 50, … at least `n`: the chart's top line.
std::int64_t NiceCeiling(std::int64_t n) {
  for (std::int64_t scale = 1;; scale *= 10) {
    for (std::int64_t step : {1, 2, 5}) {
      if (step * scale >= n) return step * scale;
    }
  }
}

std::string UsageTable(const UsageData& data) {
  if (data.origins.empty()) return "<p>No calls yet this month.</p>";
  std::string html =
      "<table><thead><tr><th scope=\"col\">AI tool (vendor)</th><th scope=\"col\">Reads</th>"
      "<th scope=\"col\">Writes</th><th scope=\"col\">Queries</th><th scope=\"col\">Total</th></tr></thead><tbody>";
  const auto row = [](std::string_view name_html, const store::MonthUsage& u) {
    return std::string(name_html) + "<td>" + std::to_string(u.reads) + "</td><td>" + std::to_string(u.writes) +
           "</td><td>" + std::to_string(u.queries) + "</td><td>" + std::to_string(u.total_ops) + "</td></tr>";
  };
  for (const store::OriginUsage& origin : data.origins) {
    // "api" is what owner keys are recorded as over HTTP (SPEC §2).
    const std::string name = origin.origin == "api" ? "api (owner keys)" : origin.origin;
    html += row("<tr><th scope=\"row\">" + Escape(name) + "</th>", origin.usage);
  }
  return html + "</tbody><tfoot>" + row("<tr><th scope=\"row\">All</th>", data.total) + "</tfoot></table>";
}

// One limit: the numbers, and a bar when the plan has a limit.
std::string LimitBar(std::string_view what, std::int64_t used, const std::optional<std::int64_t>& limit,
                     std::string_view note) {
  if (!limit) {
    return "<p>" + Escape(what) + ": " + std::to_string(used) + " (no limit on this plan)" + std::string(note) + "</p>";
  }
  const std::int64_t percent = *limit <= 0 ? 100 : std::min<std::int64_t>(100, used * 100 / *limit);
  const std::string numbers = std::to_string(used) + " of " + std::to_string(*limit);
  return "<p>" + Escape(what) + ": " + numbers + std::string(note) + "</p><div class=\"bar\" role=\"img\" aria-label=\"" +
         Escape(what) + ": " + numbers + "\"><span style=\"width:" + std::to_string(percent) + "%\"></span></div>";
}

std::string PlanSection(const Viewer& viewer, const UsageData& data) {
  std::string html = "<section aria-labelledby=\"plan\"><h2 id=\"plan\">Plan: " + Escape(viewer.plan) + "</h2>";
  if (!data.limits) return html + "<p>This plan has no known limits.</p></section>";
  const bool per_org = data.limits->memories_counted_per_org && viewer.org_id;
  html += LimitBar("Memories stored", data.memories, data.limits->max_memories,
                   per_org ? " (your org's, trash included)" : " (trash included)");
  html += LimitBar("Active API keys", data.active_keys, data.limits->max_api_keys, "");
  return html + "</section>";
}

// Bars of the operations of each day from `first` to `last`, drawn on the server.
std::string DailyChart(const std::vector<store::DayUsage>& recorded, Day first, Day last) {
  std::map<std::string, store::MonthUsage> by_day;
  for (const store::DayUsage& day : recorded) by_day[day.day] = day.usage;
  std::vector<std::pair<std::string, store::MonthUsage>> days;
  for (Day day = first; day <= last; day += std::chrono::days{1}) {
    const std::string text = DayText(day);
    const auto found = by_day.find(text);
    days.emplace_back(text, found == by_day.end() ? store::MonthUsage{} : found->second);
  }
  std::int64_t most = 0;
  std::int64_t total = 0;
  for (const auto& day : days) {
    most = std::max(most, day.second.total_ops);
    total += day.second.total_ops;
  }
  const std::int64_t top = NiceCeiling(std::max<std::int64_t>(most, 1));

  constexpr double kWidth = 720, kHeight = 220, kLeft = 48, kRight = 8, kTop = 10, kBottom = 30;
  const double plot_width = kWidth - kLeft - kRight, plot_height = kHeight - kTop - kBottom;
  const double slot = plot_width / static_cast<double>(days.size());
  const std::string label = "Operations per day from " + days.front().first + " to " + days.back().first + ": " +
                            std::to_string(total) + " in total, at most " + std::to_string(most) + " on one day";
  std::string svg = "<svg role=\"img\" aria-label=\"" + Escape(label) + "\" viewBox=\"0 0 " + Num(kWidth) + " " +
                    Num(kHeight) + "\" width=\"" + Num(kWidth) + "\" height=\"" + Num(kHeight) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"sans-serif\"><title>" +
                    Escape(label) + "</title>";
  // The y axis: 0, the middle (when it is a whole number) and the top, with grid lines.
  std::vector<std::int64_t> ticks = {0, top};
  if (top % 2 == 0) ticks.insert(ticks.begin() + 1, top / 2);
  for (std::int64_t tick : ticks) {
    const double y = kTop + plot_height * (1.0 - static_cast<double>(tick) / static_cast<double>(top));
    svg += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kWidth - kRight) + "\" y1=\"" + Num(y) + "\" y2=\"" + Num(y) +
           "\" stroke=\"#ddd\"/><text x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(y + 4) + "\" text-anchor=\"end\">" +
           std::to_string(tick) + "</text>";
  }
  for (std::size_t i = 0; i < days.size(); ++i) {
    const auto& [day, usage] = days[i];
    const double height = plot_height * static_cast<double>(usage.total_ops) / static_cast<double>(top);
    const double x = kLeft + slot * static_cast<double>(i) + slot * 0.1;
    svg += "<rect class=\"day\" x=\"" + Num(x) + "\" y=\"" + Num(kTop + plot_height - height) + "\" width=\"" +
           Num(slot * 0.8) + "\" height=\"" + Num(height) + "\" fill=\"#58a\"><title>" + Escape(day) + ": " +
           Plural(usage.total_ops, "operation", "operations") + " (" + Breakdown(usage) + ")</title></rect>";
  }
  // The x axis: the first, middle and last day.
  const std::size_t middle = days.size() / 2;
  const auto x_label = [&](std::size_t i, std::string_view anchor) {
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    return "<text x=\"" + Num(x) + "\" y=\"" + Num(kHeight - 8) + "\" text-anchor=\"" + std::string(anchor) + "\">" +
           Escape(days[i].first) + "</text>";
  };
  svg += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kWidth - kRight) + "\" y1=\"" + Num(kTop + plot_height) +
         "\" y2=\"" + Num(kTop + plot_height) + "\" stroke=\"#888\"/>" + x_label(0, "start") +
         x_label(middle, "middle") + x_label(days.size() - 1, "end") + "</svg>";

  // The same numbers as text, for screen readers and for anyone who wants them exactly.
  std::string table;
  for (const auto& [day, usage] : days) {
    if (usage.total_ops == 0) continue;
    table += "<tr><td>" + Escape(day) + "</td><td>" + std::to_string(usage.total_ops) + "</td><td>" +
             Escape(Breakdown(usage)) + "</td></tr>";
  }
  if (!table.empty()) {
    svg += "<details><summary>The chart as a table</summary><table><thead><tr><th scope=\"col\">Day</th>"
           "<th scope=\"col\">Operations</th><th scope=\"col\">Of which</th></tr></thead><tbody>" +
           table + "</tbody></table></details>";
  }
  return svg;
}

Status ReadUsage(store::Connection& c, const Viewer& viewer, Day first, Day last, UsageData& data) {
  auto total = store::GetMonthUsage(c, viewer.user_id, data.month);
  if (!total.ok()) return total.status();
  data.total = *total;
  auto origins = store::MonthUsageByOrigin(c, viewer.user_id, data.month);
  if (!origins.ok()) return origins.status();
  data.origins = std::move(*origins);
  // What the plan's limits count, as the memory service and CreateApiKey count it.
  data.limits = store::LimitsOfPlan(viewer.plan);
  const bool per_org = data.limits && data.limits->memories_counted_per_org && viewer.org_id;
  auto memories = per_org ? store::CountMemoriesOfOrgMembers(c, *viewer.org_id)
                          : store::CountMemoriesOfUser(c, viewer.user_id);
  if (!memories.ok()) return memories.status();
  data.memories = *memories;
  auto keys = store::ListApiKeys(c, viewer.user_id);
  if (!keys.ok()) return keys.status();
  data.active_keys = std::count_if(keys->begin(), keys->end(), [](const store::ApiKey& k) { return !k.revoked_at; });
  auto days = store::DailyUsage(c, viewer.user_id, DayText(first), DayText(last));
  if (!days.ok()) return days.status();
  data.days = std::move(*days);
  return Status::Ok();
}

Response UsagePage(const WebContext& ctx, const Request& request) {
  std::optional<Viewer> viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "GET") return DashboardError(*viewer, 405, "Use GET.");
  const Form query = ParseForm(request.query).value_or(Form{});
  const int span = query.Get("days") == "90" ? 90 : 30;  // the two views offered; anything else: 30
  const Day last = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const Day first = last - std::chrono::days{span - 1};

  UsageData data;
  data.month = MonthOf(NowUtc());
  Status read = ctx.db.Read([&](store::Connection& c) { return ReadUsage(c, *viewer, first, last, data); });
  if (!read.ok()) {
    spdlog::error("web: reading usage failed: {}", read.ToString());
    return DashboardError(*viewer, 503, "Your usage could not be read right now; try again.");
  }

  const auto span_link = [&](int days) {
    return "<a href=\"/usage?days=" + std::to_string(days) + "\"" + (days == span ? " aria-current=\"page\"" : "") +
           ">" + std::to_string(days) + " days</a>";
  };
  std::string body = "<h1>Usage</h1><section aria-labelledby=\"month\"><h2 id=\"month\">This month (" +
                     Escape(data.month) + ", UTC) by AI tool</h2>" + UsageTable(data) + "</section>" +
                     PlanSection(*viewer, data) +
                     "<section aria-labelledby=\"daily\"><h2 id=\"daily\">Operations per day, last " +
                     std::to_string(span) + " days</h2><p>" + span_link(30) + " · " + span_link(90) + "</p>" +
                     DailyChart(data.days, first, last) + "</section>";
  return DashboardPage(*viewer, "Usage", "usage", body);
}

}  // namespace

std::vector<Route> UsageRoutes(const WebContext& ctx) {
  const WebContext* context = &ctx;
  return {{"/usage", false, [context](const Request& request) { return UsagePage(*context, request); }}};
}

}  // namespace rm::web
