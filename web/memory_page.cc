// GET /memories/ID (a memory's page) and POST /memories/ID/ACTION (the changes a person makes
// there). See memory_pages.h.
#include <algorithm>

#include "web/html.h"
#include "web/markdown.h"
#include "web/memory_pages.h"
#include "web/memory_view.h"
#include "web/text_diff.h"

namespace rm::web {
namespace {

namespace json = boost::json;

// "/memories/ID" → {ID, ""}; "/memories/ID/edit" → {ID, "edit"}.
std::pair<std::string, std::string> IdAndAction(std::string_view path) {
  std::string_view rest = path.substr(std::string_view("/memories/").size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

std::string Tags(const std::vector<std::string>& tags) {
  std::string html;
  for (const std::string& tag : tags) html += "<a class=\"tag\" href=\"/?" + Escape(EncodeForm({{"tag", tag}})) + "\">" + Escape(tag) + "</a>";
  return html;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string text;
  for (const std::string& t : tags) text += (text.empty() ? "" : ", ") + t;
  return text;
}

std::string ActionForm(const Viewer& viewer, const std::string& id, std::string_view action, std::string_view label,
                       std::string_view extra_fields = {}, std::string_view confirm = {}) {
  return "<form method=\"post\" action=\"/memories/" + Escape(id) + "/" + std::string(action) + "\"" +
         (confirm.empty() ? std::string() : " data-confirm=\"" + Escape(confirm) + "\"") + ">" + CsrfField(viewer) +
         std::string(extra_fields) + "<button type=\"submit\">" + Escape(label) + "</button></form>";
}

std::string VisibilityForm(const WebContext& ctx, const Viewer& viewer, const std::string& id,
                           const std::vector<std::string>& allowed) {
  const bool everyone = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
  std::string boxes = "<fieldset><legend>Who can see this</legend><label><input type=\"checkbox\" name=\"all\" value=\"1\"" +
                      std::string(everyone ? " checked" : "") + "> All AI tools</label>";
  for (const std::string& vendor : VendorsOfViewer(ctx, viewer, allowed)) {
    const bool on = everyone || std::find(allowed.begin(), allowed.end(), vendor) != allowed.end();
    boxes += "<label><input type=\"checkbox\" name=\"v_" + Escape(vendor) + "\" value=\"1\"" + (on ? " checked" : "") +
             "> " + Escape(vendor) + "</label>";
  }
  boxes += "<label for=\"v-other\">Other AI tool</label><input id=\"v-other\" name=\"other\" type=\"text\" "
           "placeholder=\"a vendor name\"></fieldset>";
  return ActionForm(viewer, id, "visibility", "Save who can see this", boxes);
}

std::string VersionsHtml(const json::object& versions, const std::string& id, const Form& query) {
  const json::value* list = versions.if_contains("versions");
  if (list == nullptr || !list->is_array() || list->get_array().empty()) return "<p class=\"muted\">No earlier versions.</p>";
  const json::array& all = list->get_array();
  std::string html = "<ol reversed>";
  for (std::size_t i = all.size(); i-- > 0;) {
    const json::object& v = all[i].as_object();
    const std::string n = std::to_string(v.at("version_number").to_number<std::int64_t>());
    html += "<li>Version " + n + " · " + Escape(Text(v, "created_at")) + " · by " + Escape(Text(v, "origin")) +
            " · <a href=\"/memories/" + Escape(id) + "?diff=" + n + "\">changes after version " + n + "</a></li>";
  }
  html += "</ol>";
  // ?diff=N: version N against the next one (or the memory as it is now).
  const std::string wanted = query.Get("diff");
  if (!wanted.empty()) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const json::object& v = all[i].as_object();
      if (std::to_string(v.at("version_number").to_number<std::int64_t>()) != wanted) continue;
      const json::object& next = i + 1 < all.size() ? all[i + 1].as_object() : versions.at("memory").as_object();
      html += "<h3>Version " + Escape(wanted) + " → " + (i + 1 < all.size() ? "the next version" : std::string("now")) + "</h3>";
      if (Text(v, "title") != Text(next, "title")) html += "<p>Title: " + LineDiffHtml(Text(v, "title"), Text(next, "title")) + "</p>";
      html += LineDiffHtml(Text(v, "content"), Text(next, "content"));
    }
  }
  return html;
}

Response Show(const WebContext& ctx, const Viewer& viewer, const std::string& id, const Request& request) {
  const tools::Caller caller = DashboardCaller(viewer);
  // The versions answer carries the memory itself, trash included (a trashed memory's page
  // offers Restore); the content comes with it.
  auto versions = ctx.memories->GetMemoryVersions(caller, std::nullopt, id);
  if (!versions.ok()) return ServiceErrorPage(viewer, versions.status());
  const json::object& memory = versions->as_object().at("memory").as_object();
  const bool trashed = !Text(memory, "deleted_at").empty();
  const std::vector<std::string> allowed = Strings(memory, "allowed_vendors");
  const std::vector<std::string> tags = Strings(memory, "tags");

  std::string body = "<p><a href=\"/\">← All memories</a></p><h1>" + Escape(Text(memory, "title")) + "</h1>";
  body += "<p class=\"muted\">" + Escape(Text(memory, "memory_type")) + " · written by " + Escape(Text(memory, "origin")) +
          " · " + Escape(Text(memory, "created_at")) + " · updated " + Escape(Text(memory, "updated_at")) +
          " · visible to " + Escape(VendorsText(allowed)) + (trashed ? " · <strong>in the trash</strong>" : "") + "</p>";
  body += "<p>" + Tags(tags) + "</p><article>" + RenderMarkdown(Text(memory, "content")) + "</article>";

  if (!trashed) {
    // The thread: the parent, if this is a reply, and the replies.
    if (auto thread = ctx.memories->ReadThread(caller, std::nullopt, id); thread.ok()) {
      const json::object& t = thread->as_object();
      const json::object& parent = t.at("parent").as_object();
      const json::array& replies = t.at("replies").as_array();
      if (Text(parent, "id") != id || !replies.empty()) {
        body += "<h2>Thread</h2><ul>";
        body += "<li><a href=\"/memories/" + Escape(Text(parent, "id")) + "\">" + Escape(Text(parent, "title")) + "</a>" +
                (Text(parent, "id") == id ? " (this memory)" : "") + "<ul>";
        for (const json::value& reply : replies) {
          const json::object& r = reply.as_object();
          body += "<li><a href=\"/memories/" + Escape(Text(r, "id")) + "\">" + Escape(Text(r, "title")) + "</a>" +
                  (Text(r, "id") == id ? " (this memory)" : "") + "</li>";
        }
        body += "</ul></li></ul>";
      }
    }
    // Who may see it, sharing and deleting are the author's to decide (a colleague sees a
    // shared memory and may edit it, as over MCP; the service refuses the rest anyway).
    const bool author = Text(memory, "author_id") == viewer.user_id;
    if (author) {
      body += "<h2>Who can see this</h2><p class=\"muted\">Untick <em>All AI tools</em> to choose tools one by one.</p>" +
              VisibilityForm(ctx, viewer, id, allowed);
    }
    body += "<h2>Edit</h2><form method=\"post\" action=\"/memories/" + Escape(id) + "/edit\">" + CsrfField(viewer) +
            "<label for=\"title\">Title</label><input id=\"title\" name=\"title\" type=\"text\" value=\"" +
            Escape(Text(memory, "title")) + "\"><label for=\"content\">Content (Markdown)</label>"
            "<textarea id=\"content\" name=\"content\">" + Escape(Text(memory, "content")) + "</textarea>"
            "<label for=\"tags\">Tags (comma-separated)</label><input id=\"tags\" name=\"tags\" type=\"text\" value=\"" +
            Escape(JoinTags(tags)) + "\"><label for=\"memory_type\">Type</label><select id=\"memory_type\" name=\"memory_type\">";
    for (const char* type : {"semantic", "episodic", "procedural"}) {
      body += std::string("<option") + (Text(memory, "memory_type") == type ? " selected" : "") + ">" + type + "</option>";
    }
    body += "</select><button type=\"submit\">Save changes</button></form>";
    const bool shared = !Text(memory, "shared_with_org_id").empty() || !Text(memory, "shared_with_team_id").empty();
    if (author) body += "<h2>Sharing</h2>";
    if (!author) {
      body += shared ? "<p class=\"muted\">Shared with you by a colleague.</p>" : "";
    } else if (shared) {
      body += "<p>Shared with your " + std::string(Text(memory, "shared_with_team_id").empty() ? "org" : "team") + ".</p>" +
              ActionForm(viewer, id, "unshare", "Stop sharing");
    } else if (viewer.org_id) {
      body += ActionForm(viewer, id, "share", "Share with my org", "<input type=\"hidden\" name=\"pool\" value=\"org\">");
      if (viewer.team_id) body += ActionForm(viewer, id, "share", "Share with my team", "<input type=\"hidden\" name=\"pool\" value=\"team\">");
    } else {
      body += "<p class=\"muted\">Join an org to share memories with colleagues.</p>";
    }
    if (author) {
      body += "<h2>Delete</h2>" + ActionForm(viewer, id, "delete", "Move to the trash", {}, "Move this memory and its replies to the trash?");
    }
  } else {
    body += ActionForm(viewer, id, "restore", "Restore from the trash");
  }
  const Form query = ParseForm(request.query).value_or(Form{});
  body += "<h2>History</h2>" + VersionsHtml(versions->as_object(), id, query);
  return DashboardPage(viewer, Text(memory, "title"), "memories", body);
}

Response Change(const WebContext& ctx, const Viewer& viewer, const std::string& id, const std::string& action,
                const Request& request) {
  const auto form = ParseForm(request.body);
  if (!form || !CsrfOk(viewer, *form)) return DashboardError(viewer, 403, "This form expired; reload the page and try again.");
  const tools::Caller caller = DashboardCaller(viewer);
  tools::MemoryService::Reply done = Status::Internal("not run");
  std::string then = "/memories/" + id;
  if (action == "edit") {
    // Only the fields the form sent: an absent one stays as it is.
    tools::MemoryEdit edit;
    if (form->Has("title")) edit.title = form->Get("title");
    if (form->Has("content")) edit.content = form->Get("content");
    if (form->Has("tags")) edit.tags = SplitTags(form->Get("tags"));
    if (!form->Get("memory_type").empty()) edit.memory_type = form->Get("memory_type");
    done = ctx.memories->UpdateMemory(caller, std::nullopt, id, std::move(edit));
  } else if (action == "visibility") {
    std::vector<std::string> vendors;
    if (form->Get("all") == "1") {
      vendors = {"*"};
    } else {
      for (const auto& [name, value] : form->values) {
        if (name.rfind("v_", 0) == 0 && value == "1") vendors.push_back(name.substr(2));
      }
      const std::string other = form->Get("other");
      if (!other.empty()) vendors.push_back(other);
    }
    tools::MemoryEdit edit;
    edit.allowed_vendors = std::move(vendors);  // the service validates each name
    done = ctx.memories->UpdateMemory(caller, std::nullopt, id, std::move(edit));
  } else if (action == "share") {
    const std::string pool = form->Get("pool");
    if (pool != "org" && pool != "team") return DashboardError(viewer, 400, "Share with your org or your team.");
    done = ctx.memories->ShareMemory(caller, std::nullopt, id, pool == "org" ? tools::PoolKind::kOrg : tools::PoolKind::kTeam);
  } else if (action == "unshare") {
    done = ctx.memories->UnshareMemory(caller, std::nullopt, id, std::nullopt);
  } else if (action == "delete") {
    done = ctx.memories->DeleteMemory(caller, std::nullopt, id, false);
    then = "/?trash=1";
  } else if (action == "restore") {
    done = ctx.memories->RestoreMemory(caller, std::nullopt, id);
  } else {
    return DashboardError(viewer, 404, "No such page.");
  }
  if (!done.ok()) return ServiceErrorPage(viewer, done.status());
  return Redirect(then, 303);
}

Response MemoryPage(const WebContext& ctx, const Request& request) {
  auto viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  const auto [id, action] = IdAndAction(request.path);
  if (id.empty()) return DashboardError(*viewer, 404, "No such memory.");
  if (action.empty()) {
    if (request.method != "GET") return DashboardError(*viewer, 405, "Use GET.");
    return Show(ctx, *viewer, id, request);
  }
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the page's buttons.");
  return Change(ctx, *viewer, id, action, request);
}

}  // namespace

std::vector<Route> MemoryListRoutes(const WebContext& ctx);  // memory_list_page.cc

std::vector<Route> MemoryRoutes(const WebContext& ctx) {
  std::vector<Route> routes = MemoryListRoutes(ctx);
  routes.push_back({"/memories/", false, [&ctx](const Request& r) { return MemoryPage(ctx, r); }, true});
  return routes;
}

}  // namespace rm::web
