// `reflect-memory serve`: wires store → memory tools → MCP server → a transport.
//
//   serve [--stdio]            one session on stdin/stdout, launched by an IDE
//   serve --http HOST:PORT     Streamable HTTP at /mcp for remote connectors
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_commands.h"
#include "app/database_location.h"
#include "app/cli_output.h"
#include "app/config_file.h"
#include "app/key_usage_recorder.h"
#include "app/store_health.h"
#include "app/logging.h"
#include "app/http_identity.h"
#include "app/serve_identity.h"
#include "app/session_directory.h"
#include "mcp/server_definition.h"
#include "store/llm_keys.h"
#include "store/postgres/pg_change_bus.h"
#include "tools/memory_server.h"
#include "util/llm_key_cipher.h"
#include "transports/http/http_server.h"
#include "transports/stdio.h"
#include "web/web_app.h"

namespace rm::app {
namespace {

struct ServeOptions {
  bool stdio = false;
  std::string http;  // HOST:PORT
  std::string vendor;
  std::string tls_cert, tls_key;
  std::vector<std::string> allow_origins;
  std::string public_url;
  std::string oauth_registration = "open";
  int access_token_minutes = 60;
  int refresh_token_days = 30;
  std::string log_level = "info";
  bool log_json = false;
  bool vendor_flag = false;  // --vendor was on the command line (not from the environment or a file)
  double rate_limit = 100;
  unsigned io_threads = 0;      // 0: one per core
  unsigned worker_threads = 0;  // 0: the transport's default
  unsigned read_worker_threads = 0;
  std::size_t sessions_per_key = 64;   // see transports::HttpOptions::max_sessions_per_key
  std::size_t sessions_per_user = 256;
};

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// "127.0.0.1:8765", "[::1]:8765", "0.0.0.0:80" → host and port.
Status ParseHostPort(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  const std::string bad = "--http " + text + ": expected HOST:PORT, e.g. 127.0.0.1:8765";
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument(bad);
  }
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned value = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || value > 65535) return Status::InvalidArgument(bad);
  port = static_cast<std::uint16_t>(value);
  return Status::Ok();
}

int ServeStdio(store::Store& db, const mcp::ServerDefinition& server, const ServeOptions& opts) {
  StdioIdentityInput input;
  input.api_key = Env("REFLECT_API_KEY");
  input.vendor_flag = opts.vendor.empty() ? Env("REFLECT_VENDOR") : std::optional(opts.vendor);
  Result<tools::Principal> principal = ResolveStdioPrincipal(db, input);
  if (!principal.ok()) return ReportError(principal.status());
  spdlog::info("serving MCP over stdio as {} (vendor: {})",
               principal->local_owner ? "the local owner" : "the user of $REFLECT_API_KEY",
               principal->key_vendor.value_or(principal->configured_vendor.value_or(
                   principal->local_owner ? "inferred from the client" : "none (owner key)")));
  transports::StdioOptions stdio;
  if (input.api_key) {
    // A key revoked while the server runs stops working within a second (SPEC §2).
    stdio.recheck_credential = [&db, key = *input.api_key] { return RecheckStdioKey(db, key); };
  }
  return transports::RunStdio(server, std::any(std::move(principal).value()), std::move(stdio));
}

// The web pages and OAuth endpoints (web/), as routes of the HTTP server.
std::vector<transports::HttpRoute> WebRoutes(web::WebApp& app) {
  std::vector<transports::HttpRoute> routes;
  for (web::Route& route : app.Routes()) {
    routes.push_back({route.path, route.any_origin,
                      [handle = std::move(route.handle)](const transports::HttpRouteRequest& in) {
                        web::Request request{in.method, in.path,    in.query, in.origin,      in.cookie,
                                             in.authorization, in.content_type, in.body, in.peer_address};
                        web::Response out = handle(request);
                        return transports::HttpRouteReply{out.status, std::move(out.content_type),
                                                          std::move(out.body), std::move(out.headers)};
                      },
                      route.prefix});
  }
  return routes;
}

// "https://memory.example.com/" → "https://memory.example.com"; without --public-url, the
// address the server listens on (fine on one machine; a public server needs the flag).
Result<std::string> CanonicalBaseUrl(const ServeOptions& opts, const transports::HttpOptions& http) {
  std::string url = opts.public_url;
  if (url.empty()) {
    const bool v6 = http.host.find(':') != std::string::npos;
    url = std::string(opts.tls_cert.empty() ? "http://" : "https://") + (v6 ? "[" + http.host + "]" : http.host) + ":" +
          std::to_string(http.port);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("--public-url " + opts.public_url + ": expected https://HOST[:PORT] (or http:// for a local test)");
  }
  if (url.find('/', url.find("//") + 2) != std::string::npos || url.find('?') != std::string::npos) {
    return Status::InvalidArgument("--public-url " + opts.public_url + ": give the server's base URL only, without a path");
  }
  return url;
}

int ServeHttp(store::Store& db, const mcp::ServerDefinition& server, const ServeOptions& opts,
              std::shared_ptr<tools::MemoryService> memories) {
  if (opts.vendor_flag) {
    return ReportError(Status::InvalidArgument(
        "--vendor does not apply to --http: over HTTP the vendor comes from each caller's key "
        "(create agent keys with `reflect-memory key create --user EMAIL --vendor NAME`)"));
  }
  if (opts.tls_cert.empty() != opts.tls_key.empty()) {
    return ReportError(Status::InvalidArgument("--tls-cert and --tls-key go together: give both or neither"));
  }
  transports::HttpOptions http;
  Status parsed = ParseHostPort(opts.http, http.host, http.port);
  if (!parsed.ok()) return ReportError(parsed);

  Result<std::string> base_url = CanonicalBaseUrl(opts, http);
  if (!base_url.ok()) return ReportError(base_url.status());
  if (opts.oauth_registration != "open" && opts.oauth_registration != "closed") {
    return ReportError(Status::InvalidArgument("--oauth-registration " + opts.oauth_registration + ": expected open or closed"));
  }
  web::WebOptions web_options;
  web_options.public_url = *base_url;
  web_options.registration_open = opts.oauth_registration == "open";
  web_options.lifetimes.access = std::chrono::minutes(opts.access_token_minutes);
  web_options.lifetimes.refresh = std::chrono::hours(24 * opts.refresh_token_days);
  // Tests only (never documented for production): metadata documents served on loopback.
  web_options.allow_loopback_metadata_documents = Env("RM_TEST_ALLOW_LOOPBACK_CLIENT_METADATA").has_value();
  web::WebApp web_app(db, web_options, std::move(memories));
  http.routes = WebRoutes(web_app);
  http.resource_metadata_url = *base_url + "/.well-known/oauth-protected-resource/mcp";
  // A revoked key or grant must fail within a second (SPEC §2, §8) counting the request that
  // observes it: answers are reused for half of that (two lookups a second per credential).
  http.auth_cache_ttl = std::chrono::milliseconds(500);
  const std::string resource = web_options.Resource();

  KeyUsageRecorder key_usage(db, std::chrono::seconds(30));
  http.authenticator = [&db, resource](std::string_view token) -> transports::AuthAnswer {
    std::optional<transports::Credential> credential;
    Status s = db.Read([&](store::Connection& conn) {
      Result<transports::Credential> resolved = ResolveHttpCredential(conn, token, resource);
      if (!resolved.ok()) return resolved.status();
      credential = std::move(resolved).value();
      return Status::Ok();
    });
    // The database is down (PostgreSQL): the key may well be good; 503, not 401.
    if (s.code() == Status::Code::kUnavailable) return s;
    if (!s.ok() && s.code() != Status::Code::kUnauthenticated) {
      spdlog::error("credential lookup failed: {}", s.ToString());
    }
    return credential;
  };
  http.on_authenticated = [&key_usage](const std::string& key_id) { key_usage.Used(key_id); };
  StoreHealth store_health(db, std::chrono::seconds(1));
  http.healthy = [&store_health] { return store_health.healthy(); };
  http.allowed_origins = opts.allow_origins;
  // The sign-in and consent pages post forms to this server from its own public origin, and
  // a proxy forwards requests under its public name.
  http.allowed_origins.push_back(*base_url);
  if (const auto host = web::ParseAbsoluteUrl(*base_url)) http.allowed_hosts.push_back(host->host);
  http.tls_cert_file = opts.tls_cert;
  http.tls_key_file = opts.tls_key;
  http.access_log_json = opts.log_json;
  http.rate_limit_per_second = opts.rate_limit;
  http.rate_limit_burst = opts.rate_limit * 2;
  http.io_threads = opts.io_threads;
  http.worker_threads = opts.worker_threads;
  http.read_worker_threads = opts.read_worker_threads;
  http.max_sessions_per_key = opts.sessions_per_key;
  http.max_sessions_per_user = opts.sessions_per_user;
  if (db.engine() == store::Engine::kPostgres) {
    // Several processes may share the database: a session one of them created works on all.
    http.session_directory = std::make_shared<StoreSessionDirectory>(
        db, std::chrono::duration_cast<std::chrono::seconds>(http.session_idle_timeout));
  }
  return transports::RunHttp(server, std::move(http));
}

// Sets each `serve` option that neither the command line nor its environment variable set
// from the config file (app/config_file.h). A name that is no serve flag is an error, so a
// typo does not pass silently.
Status ApplyConfigFile(CLI::App& serve, const CliContext& ctx) {
  Result<std::map<std::string, FileSetting>> settings = LoadConfigFiles(ctx.config_flag);
  if (!settings.ok()) return settings.status();
  for (const auto& [name, setting] : *settings) {
    if (name == "db") continue;  // main() applies it to every command
    CLI::Option* opt = serve.get_option_no_throw("--" + name);
    if (opt == nullptr || name == "help") {
      return Status::InvalidArgument("config file " + setting.file + ": unknown setting '" + name +
                                     "' (the settings are serve's flags: see `reflect-memory serve --help`)");
    }
    if (opt->count() > 0) continue;  // the command line or the environment said
    if (name == "vendor" && Env("REFLECT_VENDOR")) continue;
    if (name == "log-level" && !setting.values.empty()) {
      // Checked here, not by serve's ConfigureLogging, so that the message names the file.
      if (Status s = ConfigureLogging(setting.values.front(), false); !s.ok()) {
        return Status::InvalidArgument("config file " + setting.file + ": " + s.message());
      }
    }
    try {
      opt->add_result(setting.values);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return Status::InvalidArgument("config file " + setting.file + ": " + name + ": " + e.what());
    }
  }
  return Status::Ok();
}

// reflect-memory config show: each serve setting, its value and where it comes from.
void AddConfigCommand(CLI::App& app, CliContext& ctx, CLI::App* serve) {
  CLI::App* config = app.add_subcommand("config", "Show the settings `serve` uses and where each comes from");
  config->require_subcommand(1);
  CLI::App* show = config->add_subcommand(
      "show", "Each serve setting: its value (secrets masked) and source: environment, file or default");
  OnSelected(show, ctx, [&ctx, serve]() -> int {
    Result<std::map<std::string, FileSetting>> settings = LoadConfigFiles(ctx.config_flag);
    if (!settings.ok()) return ReportError(settings.status());
    std::vector<TableRow> rows;
    boost::json::array out;
    auto add = [&](const std::string& name, const std::string& value, const std::string& source) {
      const std::string shown = MaskSecret(name, value);
      rows.push_back({name, shown.empty() ? "-" : shown, source});
      out.push_back(boost::json::object{{"name", name}, {"value", shown}, {"source", source}});
    };
    auto join = [](const std::vector<std::string>& values) {
      std::string joined;
      for (const std::string& v : values) joined += (joined.empty() ? "" : ",") + v;
      return joined;
    };
    // The database: --db, $REFLECT_DB, the file, the default.
    if (!ctx.db_flag.empty() && !ctx.db_from_file) {
      add("db", ctx.db_flag, "flag");
    } else if (auto env = Env("REFLECT_DB")) {
      add("db", *env, "env REFLECT_DB");
    } else if (auto it = settings->find("db"); it != settings->end()) {
      add("db", join(it->second.values), it->second.file);
    } else {
      add("db", DefaultDatabasePath(), "default");
    }
    if (auto key = Env("REFLECT_API_KEY")) add("api-key", *key, "env REFLECT_API_KEY");
    for (const CLI::Option* opt : serve->get_options()) {
      const std::string name = opt->get_single_name();
      if (name == "help") continue;
      const std::string env_name = name == "vendor" ? "REFLECT_VENDOR" : opt->get_envname();
      if (auto env = Env(env_name.c_str())) {
        add(name, *env, "env " + env_name);
      } else if (auto it = settings->find(name); it != settings->end()) {
        add(name, join(it->second.values), it->second.file);
      } else {
        add(name, opt->get_default_str(), "default");
      }
    }
    for (const auto& [name, setting] : *settings) {
      if (name != "db" && serve->get_option_no_throw("--" + name) == nullptr) {
        add(name, join(setting.values), setting.file + " (unknown: serve refuses it)");
      }
    }
    if (ctx.json) {
      PrintJson(out);
    } else {
      PrintTable(std::cout, {"SETTING", "VALUE", "SOURCE"}, rows);
    }
    return kExitOk;
  });
}

}  // namespace

namespace {

// What opens the stored LLM provider keys ($RM_LLM_KEY_ENCRYPTION_KEY), or nothing —
// the server serves everything else either way, and says why the keys are not used.
std::shared_ptr<const LlmKeyCipher> LlmKeysCipher(store::Store& db) {
  Result<std::optional<LlmKeyCipher>> cipher = LlmKeyCipher::FromEnvironment();
  if (cipher.ok() && *cipher) return std::make_shared<const LlmKeyCipher>(std::move(**cipher));
  auto keys = store::ReadValue<std::vector<store::LlmKeyRow>>(db, [](store::Connection& c) { return store::ListLlmKeys(c); });
  if (keys.ok() && !keys->empty()) {
    spdlog::warn("{} LLM provider key(s) stored but not used: {}; topic names come from tags and semantic search is "
                 "off (full-text search only)",
                 keys->size(),
                 cipher.ok() ? std::string(kLlmMasterKeyVariable) + " is not set" : cipher.status().message());
  } else if (!cipher.ok()) {
    spdlog::warn("{}", cipher.status().message());
  }
  return nullptr;
}

}  // namespace

void AddServeCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve MCP: over stdio (default, for IDEs) or Streamable HTTP (--http)");
  auto* stdio = serve->add_flag("--stdio", opts->stdio, "Serve one session on stdin/stdout (default)");
  serve->add_option("--http", opts->http, "Serve Streamable HTTP at http://HOST:PORT/mcp")
      ->type_name("HOST:PORT")
      ->expected(0, 1)
      ->default_str("127.0.0.1:8765")
      ->excludes(stdio);
  serve->add_option("--vendor", opts->vendor,
                    "stdio: the calling surface (claude, cursor, ...); default $REFLECT_VENDOR")
      ->type_name("NAME");
  serve->add_option("--tls-cert", opts->tls_cert, "HTTPS certificate chain (PEM)")->type_name("FILE");
  serve->add_option("--tls-key", opts->tls_key, "HTTPS private key (PEM)")->type_name("FILE");
  serve->add_option("--allow-origin", opts->allow_origins,
                    "Browser Origin allowed besides localhost (repeatable)")
      ->type_name("ORIGIN");
  serve->add_option("--public-url", opts->public_url,
                    "The server's public base URL (https://HOST): the OAuth issuer, the MCP resource <URL>/mcp, and "
                    "links in search/fetch results (default: the --http address; links memory://{id})")
      ->type_name("URL");
  serve->add_option("--oauth-registration", opts->oauth_registration,
                    "HTTP: OAuth Dynamic Client Registration (Claude, ChatGPT register themselves): open|closed")
      ->capture_default_str();
  serve->add_option("--access-token-minutes", opts->access_token_minutes, "HTTP: OAuth access token lifetime")
      ->check(CLI::Range(1, 24 * 60))
      ->capture_default_str();
  serve->add_option("--refresh-token-days", opts->refresh_token_days, "HTTP: OAuth refresh token lifetime")
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
  serve->add_option("--rate-limit", opts->rate_limit,
                    "HTTP: requests per second per key (burst: twice that; 0: unlimited)")
      ->capture_default_str();
  serve->add_option("--io-threads", opts->io_threads, "HTTP: threads running the sockets (default: one per core)")
      ->check(CLI::Range(0u, 256u));
  serve->add_option("--workers", opts->worker_threads,
                    "HTTP: threads running calls that may write (default: four per core)")
      ->check(CLI::Range(0u, 1024u));
  serve->add_option("--read-workers", opts->read_worker_threads,
                    "HTTP: threads running calls that only read (default: one per core)")
      ->check(CLI::Range(0u, 1024u));
  serve->add_option("--sessions-per-key", opts->sessions_per_key,
                    "HTTP: open MCP sessions one key may hold; at the cap a new one closes the key's least "
                    "recently used idle session")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  serve->add_option("--sessions-per-user", opts->sessions_per_user,
                    "HTTP: open MCP sessions one user may hold, all of its keys together")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  serve->add_option("--log-level", opts->log_level, "trace|debug|info|warn|error")
      ->capture_default_str();
  serve->add_flag("--log-json", opts->log_json, "Log one JSON object per line (stderr)");

  // Every flag but --vendor (whose $REFLECT_VENDOR is read where it applies, over stdio
  // only) also comes from its environment variable; the config file comes after both.
  for (CLI::Option* opt : serve->get_options()) {
    const std::string name = opt->get_single_name();
    if (name == "help" || name == "vendor") continue;
    opt->envname(SettingEnvName(name));
  }
  AddConfigCommand(app, ctx, serve);

  OnSelected(serve, ctx, [&ctx, opts, serve]() -> int {
    opts->vendor_flag = serve->count("--vendor") > 0;
    if (Status s = ApplyConfigFile(*serve, ctx); !s.ok()) return ReportError(s);
    Status logging = ConfigureLogging(opts->log_level, opts->log_json);
    if (!logging.ok()) return ReportError(logging);
    const bool http = serve->count("--http") > 0;
    if (http && opts->http.empty()) opts->http = "127.0.0.1:8765";

    // SQLite (a path) or PostgreSQL (a postgresql:// URL): nothing below depends on which.
    Result<std::unique_ptr<store::Store>> db = ctx.OpenStore();
    if (!db.ok()) return ReportError(db.status());

    mcp::ServerDefinition server;
    tools::ServiceOptions tools_options;
    tools_options.public_base_url = opts->public_url;
    tools_options.topic_clusters.cipher = LlmKeysCipher(**db);
    // The same keys turn on semantic search for users whose key has an embeddings model.
    tools_options.embeddings.cipher = tools_options.topic_clusters.cipher;
    std::shared_ptr<tools::MemoryService> memories = tools::RegisterMemoryServer(server, **db, tools_options);
    if ((*db)->engine() == store::Engine::kPostgres) {
      // Other processes may share the database: their changes reach this process's
      // listeners, and this one's reach theirs (LISTEN/NOTIFY, tools/live_changes.h).
      memories->live()->AttachBus(std::make_shared<store::postgres::PgChangeBus>(
          ResolveDatabasePath(ctx.db_flag), "rm_memory_changes"));
    }
    server.report_internal_error = [](std::string_view what) {
      spdlog::error("internal error: {}", what);
    };
    return http ? ServeHttp(**db, server, *opts, std::move(memories)) : ServeStdio(**db, server, *opts);
  });
}

}  // namespace rm::app
