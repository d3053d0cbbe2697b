#include "transports/http/access_log.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "mcp/utf8.h"
#include "util/clock.h"

namespace transports::http {
namespace {

// One stderr sink for every server in the process, so lines never interleave.
std::shared_ptr<spdlog::sinks::stderr_sink_mt> SharedStderr() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink;
}

}  // namespace

AccessLog::AccessLog(bool enabled, bool json) : json_(json) {
  if (!enabled) return;
  // Asynchronous: request threads only queue the line; one background thread writes it
  // (a synchronous stderr write per request halved the server's throughput).
  static auto pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  logger_ = std::make_shared<spdlog::async_logger>("http", SharedStderr(), pool, spdlog::async_overflow_policy::block);
  // JSON lines carry their own time; text lines get spdlog's usual prefix.
  if (json_) logger_->set_pattern("%v");
  logger_->set_level(spdlog::default_logger()->level());
}

std::string RedactedTarget(std::string_view target) {
  // An invite's token is its path (/invite/TOKEN): keep the route, drop the token.
  constexpr std::string_view kInvite = "/invite/";
  if (target.substr(0, kInvite.size()) == kInvite) return std::string(kInvite) + "…";
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  // Query values may be secrets: a one-time sign-in link, an authorization code, a state.
  // The log keeps each parameter's name (what was asked) and drops every value.
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  bool first = true;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (!first) out += '&';
    out += pair.substr(0, eq);
    if (eq != std::string_view::npos) out += "=…";
    first = false;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

void AccessLog::Write(const AccessRecord& r) const {
  if (!logger_ || !logger_->should_log(spdlog::level::info)) return;
  const std::string target = RedactedTarget(r.target);
  const double ms = std::chrono::duration<double, std::milli>(r.latency).count();
  const std::string_view session = r.session_id.substr(0, 8);
  if (json_) {
    boost::json::object line{{"time", rm::NowUtc()},
                             {"remote", r.remote},
                             {"method", r.method},
                             // Client-controlled bytes: keep each line valid JSON.
                             {"target", mcp::EscapeIfNotUtf8(target)},
                             {"status", r.status},
                             {"bytes", r.body_bytes},
                             {"ms", ms},
                             {"stream", r.streamed}};
    if (!r.credential_id.empty()) line["key"] = r.credential_id;
    if (!session.empty()) line["session"] = mcp::EscapeIfNotUtf8(session);
    logger_->info("{}", boost::json::serialize(line));
    return;
  }
  logger_->info("{} \"{} {}\" {} {}B {:.2f}ms{}{}{}{}{}", r.remote, r.method, target, r.status, r.body_bytes, ms,
                r.credential_id.empty() ? "" : " key=", r.credential_id, session.empty() ? "" : " session=", session,
                r.streamed ? " stream" : "");
}

}  // namespace transports::http
