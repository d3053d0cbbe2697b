// GET / (the memories: list, search, filters, trash), POST /memories (write one) and
// POST /trash/empty. See memory_pages.h.
#include <spdlog/spdlog.h>

#include "store/validation.h"
#include "util/crypto.h"
#include "web/html.h"
#include "web/markdown.h"
#include "web/memory_pages.h"
#include "web/memory_view.h"

namespace rm::web {
namespace {

namespace json = boost::json;

constexpr int kPageSize = 20;

store::Scope ScopeOf(const std::string& name) {
  if (name == "personal") return store::Scope::kPersonal;
  if (name == "org") return store::Scope::kOrg;
  if (name == "team") return store::Scope::kTeam;
  return store::Scope::kAll;
}

std::string Option(std::string_view value, std::string_view label, std::string_view selected) {
  return "<option value=\"" + Escape(value) + "\"" + (value == selected ? " selected" : "") + ">" + Escape(label) +
         "</option>";
}

// The search and filter form, refilled with what was asked.
std::string FilterForm(const Form& q) {
  std::string html =
      "<form method=\"get\" action=\"/\" role=\"search\"><div class=\"row\">"
      "<div><label for=\"q\">Search</label><input id=\"q\" name=\"q\" type=\"text\" value=\"" + Escape(q.Get("q")) +
      "\"></div><div><label for=\"tag\">Tag</label><input id=\"tag\" name=\"tag\" type=\"text\" value=\"" +
      Escape(q.Get("tag")) + "\"></div><div><label for=\"type\">Type</label><select id=\"type\" name=\"type\">" +
      Option("", "any", q.Get("type")) + Option("semantic", "semantic", q.Get("type")) +
      Option("episodic", "episodic", q.Get("type")) + Option("procedural", "procedural", q.Get("type")) +
      "</select></div><div><label for=\"scope\">Scope</label><select id=\"scope\" name=\"scope\">" +
      Option("all", "all", q.Get("scope")) + Option("personal", "only mine", q.Get("scope")) +
      Option("org", "shared with my org", q.Get("scope")) + Option("team", "shared with my team", q.Get("scope")) +
      "</select></div><div><label for=\"vendor\">Visible to</label><input id=\"vendor\" name=\"vendor\" type=\"text\" "
      "placeholder=\"claude, cursor…\" value=\"" + Escape(q.Get("vendor")) + "\"></div>"
      "<div><label><input type=\"checkbox\" name=\"trash\" value=\"1\"" + (q.Get("trash") == "1" ? " checked" : "") +
      "> Trash</label><button type=\"submit\">Show</button></div></div></form>";
  return html;
}

std::string NewMemoryForm(const Viewer& viewer) {
  // A request_id per rendering of the form: submitting it twice (a double click, a reload of
  // the answer) writes the memory once — the service's idempotency, as for MCP clients.
  return "<details><summary>Write a memory</summary><form method=\"post\" action=\"/memories\">" + CsrfField(viewer) +
         "<input type=\"hidden\" name=\"request_id\" value=\"" + RandomHex(16) + "\">" +
         "<label for=\"new-title\">Title</label><input id=\"new-title\" name=\"title\" type=\"text\" required>"
         "<label for=\"new-content\">Content (Markdown)</label><textarea id=\"new-content\" name=\"content\" required></textarea>"
         "<label for=\"new-tags\">Tags (comma-separated)</label><input id=\"new-tags\" name=\"tags\" type=\"text\">"
         "<button type=\"submit\">Save</button></form></details>";
}

Response List(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "GET") return DashboardError(*viewer, 405, "Use GET.");
  const Form q = ParseForm(request.query).value_or(Form{});
  tools::Caller caller = DashboardCaller(*viewer);
  // "Visible to VENDOR": the list as that AI tool sees it — the service's own vendor filter,
  // so paging and search ranking stay exact. Reads only; the usage origin stays "dashboard".
  if (!q.Get("vendor").empty() && q.Get("trash") != "1") {
    if (Status valid = store::ValidateVendorName(q.Get("vendor")); !valid.ok()) {
      return DashboardError(*viewer, 400, valid.message());
    }
    caller.vendor = q.Get("vendor");
  }
  const std::optional<std::string> cursor = q.Get("cursor").empty() ? std::nullopt : std::optional(q.Get("cursor"));
  const bool trash = q.Get("trash") == "1";
  const bool searching = !q.Get("q").empty() || !q.Get("type").empty();

  tools::MemoryService::Reply reply = Status::Internal("not run");
  if (trash) {
    reply = ctx.memories->ListTrash(caller, 200);
  } else if (searching) {
    tools::SearchArgs args;
    args.term = q.Get("q");
    if (!q.Get("tag").empty()) args.tags = {q.Get("tag")};
    if (!q.Get("type").empty()) args.memory_type = q.Get("type");
    args.scope = ScopeOf(q.Get("scope"));
    args.limit = kPageSize;
    args.cursor = cursor;
    reply = ctx.memories->SearchMemories(caller, std::nullopt, args);
  } else if (!q.Get("tag").empty()) {
    reply = ctx.memories->GetMemoriesByTag(caller, std::nullopt, {q.Get("tag")}, {kPageSize, cursor, ScopeOf(q.Get("scope"))});
  } else {
    reply = ctx.memories->BrowseMemories(caller, std::nullopt, {kPageSize, cursor, ScopeOf(q.Get("scope"))});
  }
  if (!reply.ok()) return ServiceErrorPage(*viewer, reply.status());
  const json::object& answer = reply->as_object();

  std::string rows;
  int shown = 0;
  const json::value* items = answer.if_contains(searching && !trash ? "results" : "memories");
  for (const json::value& item : items && items->is_array() ? items->get_array() : json::array{}) {
    const json::object& memory = item.as_object();
    rows += MemoryRowHtml(memory, searching ? RenderSnippet(Text(memory, "snippet")) : std::string());
    ++shown;
  }
  std::string body = "<h1>" + std::string(trash ? "Trash" : "Your memories") + "</h1>" + FilterForm(q);
  if (!trash) body += NewMemoryForm(*viewer);
  if (shown == 0) {
    body += "<p class=\"muted\">" + std::string(trash ? "The trash is empty." : "No memory matches.") + "</p>";
  } else {
    body += "<table><thead><tr><th scope=\"col\">Title</th><th scope=\"col\">Tags</th><th scope=\"col\">Visible to</th>"
            "<th scope=\"col\">Type</th><th scope=\"col\">Created</th></tr></thead><tbody>" + rows + "</tbody></table>";
  }
  if (const json::value* next = answer.if_contains("next_cursor"); next && next->is_string()) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& [name, value] : q.values) {
      if (name != "cursor") params.emplace_back(name, value);
    }
    params.emplace_back("cursor", std::string(next->get_string()));
    body += "<p><a href=\"/?" + Escape(EncodeForm(params)) + "\" rel=\"next\">Older memories →</a></p>";
  }
  if (trash && shown > 0) {
    body += "<form method=\"post\" action=\"/trash/empty\" data-confirm=\"Delete everything in the trash for good?\">" +
            CsrfField(*viewer) +
            "<label><input type=\"checkbox\" name=\"confirm\" value=\"1\" required> I understand these memories "
            "and their versions are gone for good</label><button type=\"submit\">Empty the trash</button></form>";
  }
  return DashboardPage(*viewer, trash ? "Trash" : "Memories", "memories", body);
}

Response Create(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the form on the memories page.");
  const auto form = ParseForm(request.body);
  if (!form || !CsrfOk(*viewer, *form)) return DashboardError(*viewer, 403, "This form expired; reload the page and try again.");
  tools::NewMemory memory;
  memory.title = form->Get("title");
  memory.content = form->Get("content");
  memory.tags = SplitTags(form->Get("tags"));
  tools::MemoryService::Key key;
  if (!form->Get("request_id").empty() && form->Get("request_id").size() <= 64) {
    json::array tags;
    for (const std::string& t : memory.tags) tags.emplace_back(t);
    const json::object arguments{{"title", memory.title}, {"content", memory.content}, {"tags", tags}};
    key = tools::RequestKey{"dashboard-" + form->Get("request_id"), tools::RequestFingerprint("write_memory", arguments, std::nullopt)};
  }
  auto written = ctx.memories->WriteMemory(DashboardCaller(*viewer), key, std::move(memory), std::nullopt, false);
  if (!written.ok()) return ServiceErrorPage(*viewer, written.status());
  const std::string id = Text(written->as_object().at("memory").as_object(), "id");
  return Redirect("/memories/" + id, 303);
}

Response EmptyTrash(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the button in the trash.");
  const auto form = ParseForm(request.body);
  if (!form || !CsrfOk(*viewer, *form)) return DashboardError(*viewer, 403, "This form expired; reload the page and try again.");
  if (form->Get("confirm") != "1") return DashboardError(*viewer, 400, "Tick the box to confirm: emptying the trash cannot be undone.");
  const tools::Caller caller = DashboardCaller(*viewer);
  auto trash = ctx.memories->ListTrash(caller, 1000);
  if (!trash.ok()) return ServiceErrorPage(*viewer, trash.status());
  for (const json::value& item : trash->as_object().at("memories").as_array()) {
    // One permanent delete per memory, each its own transaction and usage event, as over MCP.
    auto deleted = ctx.memories->DeleteMemory(caller, std::nullopt, Text(item.as_object(), "id"), true);
    if (!deleted.ok() && deleted.status().code() != Status::Code::kNotFound) {
      spdlog::warn("dashboard: emptying the trash stopped: {}", deleted.status().ToString());
      return ServiceErrorPage(*viewer, deleted.status());
    }
  }
  return Redirect("/?trash=1", 303);
}

}  // namespace

std::vector<Route> MemoryListRoutes(const WebContext& ctx) {
  return {{"/", false, [&ctx](const Request& r) { return List(ctx, r); }},
          {"/memories", false, [&ctx](const Request& r) { return Create(ctx, r); }},
          {"/trash/empty", false, [&ctx](const Request& r) { return EmptyTrash(ctx, r); }}};
}

}  // namespace rm::web
