// /oauth/authorize (OAuth 2.1 §4.1, RFC 7636, 8707, 9207): checks the client's request, makes
// sure a person is signed in, asks for consent — including which vendor this connection is —
// and sends the browser back to the client with a single-use code.
//
// A request whose client or redirect_uri cannot be trusted is answered here with an error page
// (redirecting there would make this server an open redirector); any other error goes back to
// the client's redirect_uri, with `state` and `iss`.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "store/validation.h"
#include "util/pkce.h"
#include "web/cookies.h"
#include "web/html.h"
#include "web/web_app.h"

namespace rm::web {
namespace {

constexpr std::string_view kReadScope = "mcp:read";
constexpr std::string_view kWriteScope = "mcp:write";

struct AuthorizationRequest {
  std::string query;  // as received: the consent form sends it back unchanged
  std::string client_id, redirect_uri, state, code_challenge, resource;
  std::vector<std::string> scopes;
};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool HostIs(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

// Which vendor a connection most likely is: the redirect host says it for hosted connectors
// (claude.ai/claude.com → claude, chatgpt.com/openai.com → chatgpt); for apps on the person's
// machine (a loopback or app-scheme redirect) the client's name is the only hint. A name is
// never trusted for a hosted redirect: anyone can register "Claude helper" at evil.example.
// Only a default: the person chooses on the consent page, and the choice binds the token.
std::string SuggestedVendor(const std::string& redirect_uri, const std::string& client_name) {
  const auto url = ParseAbsoluteUrl(redirect_uri);
  const std::string host = url ? url->host : "";
  if (HostIs(host, "claude.ai") || HostIs(host, "claude.com") || HostIs(host, "anthropic.com")) return "claude";
  if (HostIs(host, "chatgpt.com") || HostIs(host, "openai.com")) return "chatgpt";
  const bool on_this_machine = url && (url->scheme != "https" || IsLoopbackHost(host));
  if (!on_this_machine) return "";
  const std::string name = Lower(client_name);
  for (const auto& [hint, vendor] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"claude", "claude"}, {"chatgpt", "chatgpt"}, {"openai", "chatgpt"}, {"cursor", "cursor"},
           {"copilot", "copilot"}, {"visual studio code", "copilot"}, {"windsurf", "windsurf"},
           {"gemini", "gemini"}, {"grok", "grok"}, {"n8n", "n8n"}}) {
    if (name.find(hint) != std::string::npos) return std::string(vendor);
  }
  return "";
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> scopes;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find(' ', start), text.size());
    if (end > start) {
      std::string scope(text.substr(start, end - start));
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(std::move(scope));
    }
    start = end + 1;
  }
  return scopes;
}

Response ErrorPage(int status, std::string_view message) {
  return Page(status, "Cannot connect",
              "<h1>This connection cannot be made</h1><p class=\"error\">" + Escape(message) +
                  "</p><p class=\"muted\">Nothing was shared. Go back to the application and try connecting again.</p>");
}

}  // namespace

Response WebApp::Authorize(const Request& request) {
  if (request.method != "GET" && request.method != "POST") return ErrorPage(405, "Use GET (or the consent form's POST).");
  std::optional<Form> posted;
  AuthorizationRequest auth;
  if (request.method == "POST") {
    posted = ParseForm(request.body);
    if (!posted) return ErrorPage(400, "The consent form could not be read.");
    auth.query = posted->Get("request");
  } else {
    auth.query = request.query;
  }
  const std::optional<Form> params = ParseForm(auth.query);
  if (!params) return ErrorPage(400, "The authorization request's query string is malformed.");
  auth.client_id = params->Get("client_id");
  auth.redirect_uri = params->Get("redirect_uri");

  // 1. A person must be signed in first; they come back here afterwards. Nothing about the
  // client is looked at (or fetched) for an anonymous browser, and no error is redirected to a
  // client before a person has authenticated (RFC 9700 §4.11.2: a registered redirect_uri is
  // not yet a trusted one — anyone may register, or name a metadata document).
  const std::optional<store::WebSession> session = CurrentSession(request);
  if (!session) return Redirect("/signin?" + EncodeForm({{"next", "/oauth/authorize?" + auth.query}}), 303);

  // 2. The client and where to send the browser back: checked before anything is redirected.
  if (auth.client_id.empty()) return ErrorPage(400, "The request names no client (client_id is missing).");
  std::string why;
  const std::optional<store::OAuthClient> client = ResolveClient(auth.client_id, why);
  if (!client) return ErrorPage(400, why);
  if (auth.redirect_uri.empty() ||
      std::find(client->redirect_uris.begin(), client->redirect_uris.end(), auth.redirect_uri) ==
          client->redirect_uris.end()) {
    return ErrorPage(400, "The redirect_uri is not one the client registered (they must match exactly).");
  }

  // 3. Everything else is the client's to fix: answered at its redirect_uri.
  auth.state = params->Get("state");
  auto back = [&](std::string_view error, std::string_view description) {
    std::vector<std::pair<std::string, std::string>> reply{{"error", std::string(error)},
                                                           {"error_description", std::string(description)}};
    if (!auth.state.empty()) reply.emplace_back("state", auth.state);
    reply.emplace_back("iss", options_.public_url);
    return Redirect(WithQuery(auth.redirect_uri, reply));
  };
  if (!params->repeated.empty()) return back("invalid_request", "parameter repeated: " + params->repeated.front());
  if (params->Get("response_type") != "code") {
    return back("unsupported_response_type", "only response_type=code is supported");
  }
  auth.code_challenge = params->Get("code_challenge");
  if (!IsValidPkceChallenge(auth.code_challenge) || params->Get("code_challenge_method") != "S256") {
    return back("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
  }
  auth.resource = params->Get("resource");
  if (auth.resource.empty()) {
    return back("invalid_target", "resource is required (RFC 8707): send resource=" + options_.Resource());
  }
  if (auth.resource != options_.Resource()) {
    return back("invalid_target", "this server issues tokens only for resource " + options_.Resource());
  }
  auth.scopes = SplitScopes(params->Has("scope") ? params->Get("scope") : "mcp:read mcp:write");
  if (auth.scopes.empty()) auth.scopes = {std::string(kReadScope), std::string(kWriteScope)};
  for (const std::string& scope : auth.scopes) {
    if (scope != kReadScope && scope != kWriteScope) return back("invalid_scope", "unknown scope: " + scope);
  }
  const bool wants_write = std::find(auth.scopes.begin(), auth.scopes.end(), kWriteScope) != auth.scopes.end();


  if (request.method == "GET") {
    const std::string redirect_host = ParseAbsoluteUrl(auth.redirect_uri).value_or(UrlParts{}).host;
    const std::string vendor = SuggestedVendor(auth.redirect_uri, client->client_name);
    std::string body =
        "<h1>Connect " + Escape(client->client_name.empty() ? auth.client_id : client->client_name) +
        " to your memory?</h1><p>It will return to <strong>" + Escape(redirect_host) + "</strong>" +
        (client->metadata_document ? " (client <code>" + Escape(auth.client_id) + "</code>)" : std::string()) +
        ".</p><form method=\"post\" action=\"/oauth/authorize\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"" + Escape(session->csrf_token) + "\">"
        "<input type=\"hidden\" name=\"request\" value=\"" + Escape(auth.query) + "\">"
        "<label for=\"vendor\">This connection is the AI tool</label>"
        "<input id=\"vendor\" name=\"vendor\" type=\"text\" list=\"vendors\" pattern=\"[a-z][a-z0-9_\\-]{0,31}\" "
        "value=\"" + Escape(vendor) + "\" placeholder=\"claude, chatgpt, cursor, …\">"
        "<datalist id=\"vendors\"><option value=\"claude\"><option value=\"chatgpt\"><option value=\"cursor\">"
        "<option value=\"copilot\"><option value=\"gemini\"><option value=\"grok\"><option value=\"windsurf\">"
        "<option value=\"n8n\"></datalist>"
        "<p class=\"muted\">It will see only the memories you allow this vendor, and what it writes is "
        "recorded as coming from it.</p>"
        "<label><input type=\"checkbox\" name=\"owner\" value=\"1\"> Owner access instead: no vendor filter</label>"
        "<p class=\"warn\">Owner access lets this connection see every memory, whatever vendors each allows. "
        "Choose it only for a tool you trust with everything.</p>"
        "<p>It may <strong>read and search</strong> your memories" +
        std::string(wants_write ? "</p><label><input type=\"checkbox\" name=\"write\" value=\"1\" checked> and "
                                  "<strong>write, update and delete</strong> them</label>"
                                : ", and nothing more.</p>") +
        "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button> "
        "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>";
    Response page = Page(200, "Connect", body);
    // Allow and Deny answer with a redirect to the client, which the browser checks against
    // form-action: name the client's origin (or, for an app's own scheme, the scheme).
    const auto target = ParseAbsoluteUrl(auth.redirect_uri);
    if (target && (target->scheme == "https" || target->scheme == "http")) {
      AllowFormTarget(page, target->scheme + "://" + (target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host) +
                                (target->port.empty() ? "" : ":" + target->port));
    } else if (target) {
      AllowFormTarget(page, target->scheme + ":");
    }
    return page;
  }

  // 5. The consent form: from this browser's session, then the person's decision.
  if (!SecretsEqual(posted->Get("csrf"), session->csrf_token)) {
    return ErrorPage(403, "The consent form expired or was sent from another site; start connecting again.");
  }
  if (posted->Get("decision") != "allow") return back("access_denied", "the person denied the connection");
  std::optional<std::string> vendor;
  if (posted->Get("owner") != "1") {
    const std::string name = Lower(posted->Get("vendor"));
    if (Status valid = store::ValidateVendorName(name); !valid.ok()) {
      return ErrorPage(400, "Choose which AI tool this connection is (a vendor name such as claude or chatgpt), "
                            "or tick owner access. " + valid.message());
    }
    vendor = name;
  }
  store::NewAuthorizationCode code_request;
  code_request.user_id = session->user_id;
  code_request.client_id = auth.client_id;
  code_request.redirect_uri = auth.redirect_uri;
  code_request.code_challenge = auth.code_challenge;
  code_request.vendor = vendor;
  code_request.resource = auth.resource;
  code_request.scopes = {std::string(kReadScope)};
  if (wants_write && posted->Get("write") == "1") code_request.scopes.emplace_back(kWriteScope);
  auto code = store::WriteValue<std::string>(db_, [&](store::Connection& c) {
    return store::CreateAuthorizationCode(c, code_request, options_.code_lifetime);
  });
  if (!code.ok()) {
    spdlog::error("web: could not create an authorization code: {}", code.status().ToString());
    return back("server_error", "the server could not record the consent; try again");
  }
  std::vector<std::pair<std::string, std::string>> reply{{"code", *code}};
  if (!auth.state.empty()) reply.emplace_back("state", auth.state);
  reply.emplace_back("iss", options_.public_url);
  return Redirect(WithQuery(auth.redirect_uri, reply));
}

}  // namespace rm::web
