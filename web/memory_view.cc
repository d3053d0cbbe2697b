#include "web/memory_view.h"

#include <algorithm>
#include <set>

#include "store/api_keys.h"
#include "store/oauth_grants.h"
#include "web/html.h"

namespace rm::web {

std::string Text(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> Strings(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* v = o.if_contains(key);
  if (v && v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

std::string VendorsText(const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return "all AI tools";
  if (allowed.empty()) return "no AI tool (only you, here)";
  std::string text;
  for (const std::string& v : allowed) text += (text.empty() ? "" : ", ") + v;
  return text;
}

std::string MemoryRowHtml(const boost::json::object& memory, std::string_view snippet_html) {
  const std::string id = Text(memory, "id");
  std::string html = "<tr><td><a href=\"/memories/" + Escape(id) + "\">" +
                     Escape(Text(memory, "title").empty() ? "(untitled)" : Text(memory, "title")) + "</a>";
  if (!snippet_html.empty()) html += "<br><span class=\"muted\">" + std::string(snippet_html) + "</span>";
  html += "</td><td>";
  for (const std::string& tag : Strings(memory, "tags")) html += "<span class=\"tag\">" + Escape(tag) + "</span>";
  html += "</td><td>" + Escape(VendorsText(Strings(memory, "allowed_vendors"))) + "</td><td>" +
          Escape(Text(memory, "memory_type")) + "</td><td>" + Escape(Text(memory, "created_at").substr(0, 10)) +
          "</td></tr>";
  return html;
}

Response ServiceErrorPage(const Viewer& viewer, const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return DashboardError(viewer, 404, "No such memory (or it is not yours to see).");
    case Status::Code::kInvalidArgument:
    case Status::Code::kQuotaExceeded:
    case Status::Code::kConflict:
      return DashboardError(viewer, 400, status.message());
    case Status::Code::kPermissionDenied:
      return DashboardError(viewer, 403, status.message());
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
      return DashboardError(viewer, 409, status.message());
    default:
      return DashboardError(viewer, 503, "The store is unavailable right now; try again.");
  }
}

std::vector<std::string> VendorsOfViewer(const WebContext& ctx, const Viewer& viewer,
                                         const std::vector<std::string>& already_allowed) {
  std::set<std::string> vendors = {"claude", "chatgpt", "cursor", "copilot"};
  for (const std::string& v : already_allowed) {
    if (v != "*") vendors.insert(v);
  }
  (void)ctx.db.Read([&](store::Connection& c) -> Status {
    if (auto keys = store::ListApiKeys(c, viewer.user_id); keys.ok()) {
      for (const auto& key : *keys) {
        if (key.vendor && !key.revoked_at) vendors.insert(*key.vendor);
      }
    }
    if (auto grants = store::ListOAuthGrants(c, viewer.user_id); grants.ok()) {
      for (const auto& grant : *grants) {
        if (grant.vendor && !grant.revoked_at) vendors.insert(*grant.vendor);
      }
    }
    return Status::Ok();
  });
  return {vendors.begin(), vendors.end()};
}

std::vector<std::string> SplitTags(std::string_view text) {
  std::vector<std::string> tags;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto end = text.find(',', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(at, end - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) tags.emplace_back(part);
    at = end + 1;
  }
  return tags;
}

}  // namespace rm::web
