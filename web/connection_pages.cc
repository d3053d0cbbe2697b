// The Connections pages (web/connection_pages.h): what can reach the person's memories, and
// how to connect one more tool.
#include "web/connection_pages.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/api_keys.h"
#include "store/oauth_grants.h"
#include "store/usage_daily.h"
#include "util/clock.h"
#include "web/dashboard_page.h"
#include "web/html.h"

namespace rm::web {
namespace {

// The origin an owner credential's calls are recorded with over HTTP (SPEC §2): the owner's
// group shows that origin's calls.
constexpr std::string_view kOwnerOrigin = "api";

// Vendors people commonly connect (SPEC §2), offered as suggestions; any valid name works.
constexpr std::string_view kSuggestedVendors[] = {"claude", "chatgpt", "cursor", "copilot", "gemini",
                                                  "grok",   "windsurf", "n8n"};

// Everything one vendor (or, under "", the owner) holds: one section of the page.
struct VendorGroup {
  std::vector<store::ApiKey> keys;
  std::vector<store::OAuthGrant> grants;
};

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

// "2026-11-25 00:41" in a <time> element, or "never".
std::string When(const std::optional<std::string>& iso) {
  if (!iso || iso->size() < 16) return "never";
  std::string shown = iso->substr(0, 16);
  shown[10] = ' ';
  return "<time datetime=\"" + Escape(*iso) + "\">" + Escape(shown) + " UTC</time>";
}

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Calls(const store::MonthUsage& usage) {
  return std::to_string(usage.total_ops) + " (" + Plural(usage.reads, "read", "reads") + ", " +
         Plural(usage.writes, "write", "writes") + ", " + Plural(usage.queries, "query", "queries") + ")";
}

std::string HiddenCsrfAnd(const Viewer& viewer, std::string_view name, std::string_view value) {
  return CsrfField(viewer) + "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + Escape(value) +
         "\">";
}

std::string KeysTable(const Viewer& viewer, const std::vector<store::ApiKey>& keys) {
  if (keys.empty()) return "";
  std::string html =
      "<table><caption class=\"muted\">API keys</caption><thead><tr><th scope=\"col\">Label</th>"
      "<th scope=\"col\">Key</th><th scope=\"col\">Created</th><th scope=\"col\">Last used</th>"
      "<th scope=\"col\">Status</th></tr></thead><tbody>";
  for (const store::ApiKey& key : keys) {
    html += "<tr><td>" + Escape(key.label) + "</td><td><code>" + Escape(key.key_prefix) + "…</code></td><td>" +
            When(key.created_at) + "</td><td>" + When(key.last_used_at) + "</td><td>";
    if (key.revoked_at) {
      html += "revoked " + When(key.revoked_at);
    } else {
      html += "<form method=\"post\" action=\"/connections/keys/revoke\" data-confirm=\"Revoke this key? Tools "
              "using it stop working within a second.\">" +
              HiddenCsrfAnd(viewer, "key_id", key.id) + "<button type=\"submit\" aria-label=\"Revoke key " +
              Escape(key.label) + "\">Revoke</button></form>";
    }
    html += "</td></tr>";
  }
  return html + "</tbody></table>";
}

std::string GrantsTable(const Viewer& viewer, const std::vector<store::OAuthGrant>& grants) {
  if (grants.empty()) return "";
  std::string html =
      "<table><caption class=\"muted\">Signed-in connections (OAuth)</caption><thead><tr>"
      "<th scope=\"col\">Client</th><th scope=\"col\">Scopes</th><th scope=\"col\">Created</th>"
      "<th scope=\"col\">Last used</th><th scope=\"col\">Status</th></tr></thead><tbody>";
  for (const store::OAuthGrant& grant : grants) {
    std::string scopes;
    for (const std::string& scope : grant.scopes) scopes += (scopes.empty() ? "" : " ") + scope;
    const std::string name = grant.client_name.empty() ? grant.client_id : grant.client_name;
    html += "<tr><td>" + Escape(name) + "</td><td>" + Escape(scopes) + "</td><td>" + When(grant.created_at) +
            "</td><td>" + When(grant.last_used_at) + "</td><td>";
    if (grant.revoked_at) {
      html += "revoked " + When(grant.revoked_at);
    } else {
      html += "<form method=\"post\" action=\"/connections/grants/revoke\" data-confirm=\"Disconnect " +
              Escape(name) + "? It stops working within a second.\">" +
              HiddenCsrfAnd(viewer, "grant_id", grant.id) + "<button type=\"submit\" aria-label=\"Disconnect " +
              Escape(name) + "\">Revoke</button></form>";
    }
    html += "</td></tr>";
  }
  return html + "</tbody></table>";
}

std::string CreateKeyForm(const Viewer& viewer) {
  std::string options;
  for (std::string_view vendor : kSuggestedVendors) options += "<option value=\"" + std::string(vendor) + "\">";
  return "<section aria-labelledby=\"create-key\"><h2 id=\"create-key\">Create an API key</h2>"
         "<form method=\"post\" action=\"/connections/keys\">" + CsrfField(viewer) +
         "<div class=\"row\"><div><label for=\"key-label\">Label</label>"
         "<input id=\"key-label\" name=\"label\" type=\"text\" maxlength=\"100\" placeholder=\"Default\"></div>"
         "<div><label for=\"key-vendor\">AI tool (vendor)</label>"
         "<input id=\"key-vendor\" name=\"vendor\" type=\"text\" list=\"vendors\" maxlength=\"32\" "
         "pattern=\"[a-z][a-z0-9_\\-]{0,31}\" aria-describedby=\"key-vendor-help\"></div></div>"
         "<datalist id=\"vendors\">" + options + "</datalist>"
         "<p id=\"key-vendor-help\" class=\"muted\">A key for a vendor sees only memories that allow that vendor, "
         "and what it writes is recorded as coming from it. Leave it empty for an owner key: all your memories, "
         "no vendor filter.</p><button type=\"submit\">Create key</button></form></section>";
}

// One client's panel: how to connect it, with a copyable snippet.
std::string ConnectPanel(std::string_view id, std::string_view client, std::string_view how_html,
                         std::string_view snippet) {
  return "<details><summary>" + std::string(client) + "</summary>" + std::string(how_html) + "<pre><code id=\"" +
         std::string(id) + "\">" + Escape(snippet) + "</code></pre><button type=\"button\" data-copy=\"" +
         std::string(id) + "\" hidden>Copy</button></details>";
}

// The README's "Connect your AI tools", pre-filled with this server's MCP address.
std::string ConnectPanels(const WebContext& ctx) {
  const std::string url = ctx.options.Resource();
  const std::string json_url = boost::json::serialize(boost::json::string(url));  // quoted, escaped
  const auto key_for = [](std::string_view vendor) {
    return "<p>Create a key for vendor <code>" + std::string(vendor) + "</code> above, then use it in place of "
           "<code>rm_live_…</code>:</p>";
  };
  std::string html =
      "<section aria-labelledby=\"connect\"><h2 id=\"connect\">Connect an AI tool</h2>"
      "<p>This server's MCP address is <code id=\"mcp-url\">" + Escape(url) +
      "</code> <button type=\"button\" data-copy=\"mcp-url\" hidden>Copy</button></p>";
  html += ConnectPanel("connect-claude-code", "Claude Code", key_for("claude"),
                       "claude mcp add --transport http reflect " + url +
                           " --header \"Authorization: Bearer rm_live_…\"");
  html += ConnectPanel("connect-cursor", "Cursor",
                       key_for("cursor") + "<p>Set it as <code>REFLECT_KEY=rm_live_…</code> in Cursor's environment "
                                           "and add this to <code>.cursor/mcp.json</code>:</p>",
                       "{ \"mcpServers\": { \"reflect-memory\": { \"url\": " + json_url +
                           ",\n    \"headers\": { \"Authorization\": \"Bearer ${env:REFLECT_KEY}\" } } } }");
  html += ConnectPanel("connect-vscode", "VS Code",
                       key_for("copilot") + "<p>Add this to <code>.vscode/mcp.json</code>; VS Code asks for the key "
                                            "once:</p>",
                       "{ \"inputs\": [{ \"type\": \"promptString\", \"id\": \"reflect-memory-key\", "
                       "\"description\": \"API key\", \"password\": true }],\n  \"servers\": { \"reflect-memory\": "
                       "{ \"type\": \"http\", \"url\": " + json_url +
                           ",\n    \"headers\": { \"Authorization\": \"Bearer ${input:reflect-memory-key}\" } } } }");
  // Connectors sign in through this server's OAuth pages instead of a key; they need it public.
  const std::string https_note =
      ctx.options.Secure() ? ""
                           : "<p class=\"warn\">This needs the server at a public HTTPS address "
                             "(<code>serve --public-url https://…</code>); this one is not.</p>";
  html += ConnectPanel("connect-claude-ai", "Claude.ai",
                       https_note + "<p>Settings → Connectors → <em>Add custom connector</em> → name it, URL below → "
                                    "<em>Add</em>, then <em>Connect</em>. Sign in, and on the consent page choose "
                                    "the AI tool <code>claude</code>.</p>",
                       url);
  html += ConnectPanel("connect-chatgpt", "ChatGPT",
                       https_note + "<p>Settings → Apps &amp; Connectors → Advanced → Developer mode on → "
                                    "<em>Create</em> → MCP server URL below, authentication <em>OAuth</em> → "
                                    "<em>Create</em>. Sign in, and on the consent page choose the AI tool "
                                    "<code>chatgpt</code>.</p>",
                       url);
  return html + "</section>";
}

// The steps every POST here takes before it may change anything: a signed-in person, a
// readable form, and this session's CSRF token; otherwise nothing is changed.
template <typename Act>
Response Posted(const WebContext& ctx, const Request& request, Act&& act) {
  std::optional<Viewer> viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "POST") return DashboardError(*viewer, 405, "Use the forms on the Connections page.");
  std::optional<Form> form = ParseForm(request.body);
  if (!form) return DashboardError(*viewer, 400, "The form could not be read; please try again.");
  if (!CsrfOk(*viewer, *form)) {
    return DashboardError(*viewer, 403, "This form expired or came from another site; reload the page and try again.");
  }
  return act(*viewer, *form);
}

Response ConnectionsPage(const WebContext& ctx, const Request& request) {
  std::optional<Viewer> viewer = FindViewer(ctx.db, request);
  if (!viewer) return SignInFirst(request);
  if (request.method != "GET") return DashboardError(*viewer, 405, "Use GET.");
  std::vector<store::ApiKey> keys;
  std::vector<store::OAuthGrant> grants;
  std::vector<store::OriginUsage> usage;
  const std::string month = MonthOf(NowUtc());
  Status read = ctx.db.Read([&](store::Connection& c) -> Status {
    auto listed_keys = store::ListApiKeys(c, viewer->user_id);
    if (!listed_keys.ok()) return listed_keys.status();
    auto listed_grants = store::ListOAuthGrants(c, viewer->user_id);
    if (!listed_grants.ok()) return listed_grants.status();
    auto calls = store::MonthUsageByOrigin(c, viewer->user_id, month);
    if (!calls.ok()) return calls.status();
    keys = std::move(*listed_keys);
    grants = std::move(*listed_grants);
    usage = std::move(*calls);
    return Status::Ok();
  });
  if (!read.ok()) {
    spdlog::error("web: reading connections failed: {}", read.ToString());
    return DashboardError(*viewer, 503, "Your connections could not be read right now; try again.");
  }

  // "" (the owner) sorts first, then the vendors by name.
  std::map<std::string, VendorGroup> groups;
  for (store::ApiKey& key : keys) groups[key.vendor.value_or("")].keys.push_back(std::move(key));
  for (store::OAuthGrant& grant : grants) groups[grant.vendor.value_or("")].grants.push_back(std::move(grant));
  std::map<std::string, store::MonthUsage> calls;
  for (const store::OriginUsage& origin : usage) calls[origin.origin] = origin.usage;

  std::string body = "<h1>Connections</h1><p>The keys and signed-in connections that reach your memories, by AI "
                     "tool. Revoking one stops it within a second.</p>" +
                     CreateKeyForm(*viewer);
  body += "<section aria-labelledby=\"by-vendor\"><h2 id=\"by-vendor\">By AI tool</h2>";
  if (groups.empty()) body += "<p>No keys or connections yet.</p>";
  for (const auto& [vendor, group] : groups) {
    const std::string origin = vendor.empty() ? std::string(kOwnerOrigin) : vendor;
    const auto used = calls.find(origin);
    body += "<h3>" + (vendor.empty() ? std::string("owner (all tools)") : Escape(vendor)) + "</h3>" +
            "<p>Calls this month: " + Calls(used == calls.end() ? store::MonthUsage{} : used->second) + "</p>" +
            KeysTable(*viewer, group.keys) + GrantsTable(*viewer, group.grants);
    if (used != calls.end()) calls.erase(used);
  }
  body += "</section>";
  if (!calls.empty()) {
    // Calls from surfaces without a key or grant here: the dashboard, stdio, revoked-and-gone ones.
    body += "<section aria-labelledby=\"other-calls\"><h2 id=\"other-calls\">Other calls this month</h2><table>"
            "<thead><tr><th scope=\"col\">From</th><th scope=\"col\">Calls</th></tr></thead><tbody>";
    for (const auto& [origin, counts] : calls) {
      body += "<tr><td>" + Escape(origin) + "</td><td>" + Calls(counts) + "</td></tr>";
    }
    body += "</tbody></table></section>";
  }
  body += ConnectPanels(ctx);
  return DashboardPage(*viewer, "Connections", "connections", body);
}

Response CreateKey(const WebContext& ctx, const Request& request) {
  return Posted(ctx, request, [&](const Viewer& viewer, const Form& form) {
    std::string label = Trim(form.Get("label"));
    if (label.empty()) label = "Default";  // as `key create` without --label
    const std::string vendor = Trim(form.Get("vendor"));
    const store::NewApiKey wanted{viewer.user_id, label,
                                  vendor.empty() ? std::nullopt : std::optional<std::string>(vendor)};
    // CreateApiKey validates the label and vendor and checks the plan's key limit, as for the CLI.
    auto created = store::WriteValue<store::CreatedApiKey>(
        ctx.db, [&](store::Connection& c) { return store::CreateApiKey(c, wanted); });
    if (!created.ok()) {
      const Status::Code code = created.status().code();
      if (code == Status::Code::kInvalidArgument || code == Status::Code::kQuotaExceeded) {
        return DashboardError(viewer, 400, created.status().message());
      }
      spdlog::error("web: creating a key failed: {}", created.status().ToString());
      return DashboardError(viewer, 503, "The key could not be created right now; try again.");
    }
    const store::ApiKey& key = created->key;
    const std::string kind = key.vendor ? "An agent key for <code>" + Escape(*key.vendor) + "</code>"
                                        : std::string("An owner key (all tools, no vendor filter)");
    const std::string body =
        "<h1>Key created</h1><p>" + kind + ", labelled “" + Escape(key.label) + "”.</p>"
        "<p class=\"warn\" role=\"alert\">Copy it now: it will not be shown again (only a hash of it is kept).</p>"
        "<p><code id=\"new-key\">" + Escape(created->secret) + "</code> "
        "<button type=\"button\" data-copy=\"new-key\" hidden>Copy</button></p>"
        "<p><a href=\"/connections\">Back to connections</a></p>";
    return DashboardPage(viewer, "Key created", "connections", body);
  });
}

// Revokes one of the viewer's credentials with `revoke` (run in the same transaction as the
// ownership check `mine`); 404 for anything not theirs, and nothing changed.
template <typename Mine, typename Revoke>
Response RevokeOwn(const WebContext& ctx, const Viewer& viewer, std::string_view what, Mine&& mine, Revoke&& revoke) {
  Status done = ctx.db.Write([&](store::Connection& c) -> Status {
    Result<bool> is_mine = mine(c);
    if (!is_mine.ok()) return is_mine.status();
    if (!*is_mine) return Status::NotFound("not yours");
    return revoke(c);
  });
  if (done.code() == Status::Code::kNotFound) {
    return DashboardError(viewer, 404, "There is no such " + std::string(what) + " among yours.");
  }
  if (!done.ok()) {
    spdlog::error("web: revoking a {} failed: {}", what, done.ToString());
    return DashboardError(viewer, 503, "It could not be revoked right now; try again.");
  }
  return Redirect("/connections", 303);
}

Response RevokeKey(const WebContext& ctx, const Request& request) {
  return Posted(ctx, request, [&](const Viewer& viewer, const Form& form) {
    const std::string key_id = form.Get("key_id");
    return RevokeOwn(
        ctx, viewer, "key",
        [&](store::Connection& c) -> Result<bool> {
          auto keys = store::ListApiKeys(c, viewer.user_id);
          if (!keys.ok()) return keys.status();
          return std::any_of(keys->begin(), keys->end(), [&](const store::ApiKey& k) { return k.id == key_id; });
        },
        [&](store::Connection& c) { return store::RevokeApiKey(c, key_id).status(); });
  });
}

Response RevokeGrant(const WebContext& ctx, const Request& request) {
  return Posted(ctx, request, [&](const Viewer& viewer, const Form& form) {
    const std::string grant_id = form.Get("grant_id");
    return RevokeOwn(
        ctx, viewer, "connection",
        [&](store::Connection& c) -> Result<bool> {
          auto grants = store::ListOAuthGrants(c, viewer.user_id);
          if (!grants.ok()) return grants.status();
          return std::any_of(grants->begin(), grants->end(),
                             [&](const store::OAuthGrant& g) { return g.id == grant_id; });
        },
        [&](store::Connection& c) { return store::RevokeOAuthGrant(c, grant_id).status(); });
  });
}

}  // namespace

std::vector<Route> ConnectionRoutes(const WebContext& ctx) {
  const WebContext* context = &ctx;
  auto page = [context](Response (*handler)(const WebContext&, const Request&)) {
    return [context, handler](const Request& request) { return handler(*context, request); };
  };
  return {
      {"/connections", false, page(ConnectionsPage)},
      {"/connections/keys", false, page(CreateKey)},
      {"/connections/keys/revoke", false, page(RevokeKey)},
      {"/connections/grants/revoke", false, page(RevokeGrant)},
  };
}

}  // namespace rm::web
