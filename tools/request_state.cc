#include "tools/request_state.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/server_secrets.h"
#include "store/used_request_states.h"
#include "util/crypto.h"

namespace rm::tools {
namespace json = boost::json;

namespace {

constexpr std::string_view kSecretPrefix = "request_state.";

std::string Context(std::int64_t generation, const RequestStateBinding& b) {
  // Newlines cannot occur in a tool name, a user id or a vendor name, nor in a hex digest.
  return "request_state/v1\n" + std::to_string(generation) + "\n" + b.tool + "\n" + b.user_id + "\n" +
         b.vendor.value_or("*") + "\n" + b.request;
}

RequestStates::Opened Refused(RequestStateProblem problem, std::string message) {
  RequestStates::Opened out;
  out.refusal = {problem, std::move(message)};
  return out;
}

}  // namespace

RequestStates::RequestStates(store::Store& db, RequestStateOptions options)
    : db_(db), options_(std::move(options)) {
  if (options_.ttl < std::chrono::seconds(1)) options_.ttl = std::chrono::seconds(1);
  options_.rotation_period = std::max(options_.rotation_period, 2 * options_.ttl);
}

std::int64_t RequestStates::Now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t RequestStates::GenerationAt(std::int64_t unix_seconds) const {
  const std::int64_t period = options_.rotation_period.count();
  // Floor division, so that times before 1970 (tests only) still order.
  return unix_seconds >= 0 ? unix_seconds / period : -((-unix_seconds + period - 1) / period);
}

std::string RequestStates::SecretName(std::int64_t generation) {
  return std::string(kSecretPrefix) + std::to_string(generation);
}

Result<std::optional<const SealedBox*>> RequestStates::BoxOf(std::int64_t generation, bool create) {
  std::lock_guard lock(mutex_);
  if (auto it = boxes_.find(generation); it != boxes_.end()) return std::optional<const SealedBox*>(&it->second);
  std::optional<std::string> secret;
  if (create) {
    RM_RETURN_IF_ERROR(db_.Write([&](store::Connection& conn) -> Status {
      Result<std::string> stored = store::LoadOrCreateServerSecret(conn, SecretName(generation));
      if (!stored.ok()) return stored.status();
      secret = std::move(*stored);
      // Retire the generations no state can be sealed under any more.
      return store::DeleteServerSecretsExcept(conn, kSecretPrefix,
                                              {SecretName(generation), SecretName(generation - 1)});
    }));
  } else {
    RM_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
      Result<std::optional<std::string>> stored = store::FindServerSecret(conn, SecretName(generation));
      if (!stored.ok()) return stored.status();
      secret = std::move(*stored);
      return Status::Ok();
    }));
  }
  if (!secret) return std::optional<const SealedBox*>();
  Result<SealedBox> box = SealedBox::FromHexSecret(*secret);
  if (!box.ok()) return box.status();
  // Keep only boxes that can still open something.
  std::erase_if(boxes_, [generation](const auto& entry) { return entry.first < generation - 1; });
  auto [it, inserted] = boxes_.emplace(generation, std::move(*box));
  return std::optional<const SealedBox*>(&it->second);
}

Result<std::string> RequestStates::Seal(const RequestStateBinding& binding) {
  const std::int64_t now = Now();
  const std::int64_t generation = GenerationAt(now);
  Result<std::optional<const SealedBox*>> box = BoxOf(generation, /*create=*/true);
  if (!box.ok()) return box.status();
  if (!*box) return Status::Internal("the request state secret could not be made");
  const std::string plaintext =
      json::serialize(json::object{{"id", RandomHex(16)}, {"exp", now + options_.ttl.count()}});
  return std::to_string(generation) + "." + (**box)->Seal(plaintext, Context(generation, binding));
}

Result<RequestStates::Opened> RequestStates::Open(std::string_view token, const RequestStateBinding& binding) {
  static constexpr std::string_view kInvalid =
      "this requestState was not issued by this server for this call (it was altered, or belongs to "
      "another memory, user, key or tool); nothing was done. Call the tool again without requestState "
      "to be asked again";
  const std::size_t dot = token.find('.');
  std::int64_t generation = 0;
  if (dot == std::string_view::npos || dot == 0 || dot > 20) return Refused(RequestStateProblem::kInvalid, std::string(kInvalid));
  auto [end, ec] = std::from_chars(token.data(), token.data() + dot, generation);
  if (ec != std::errc() || end != token.data() + dot) return Refused(RequestStateProblem::kInvalid, std::string(kInvalid));

  const std::int64_t now = Now();
  const std::int64_t current = GenerationAt(now);
  if (generation > current) return Refused(RequestStateProblem::kInvalid, std::string(kInvalid));
  if (generation < current - 1) {
    return Refused(RequestStateProblem::kExpired,
                   "this requestState expired (its secret was rotated out); nothing was done. Call the "
                   "tool again without requestState to be asked again");
  }
  Result<std::optional<const SealedBox*>> box = BoxOf(generation, /*create=*/false);
  if (!box.ok()) return box.status();
  if (!*box) return Refused(RequestStateProblem::kInvalid, std::string(kInvalid));
  std::optional<std::string> plaintext = (**box)->Open(token.substr(dot + 1), Context(generation, binding));
  if (!plaintext) return Refused(RequestStateProblem::kInvalid, std::string(kInvalid));

  boost::system::error_code parse_error;
  json::value state = json::parse(*plaintext, parse_error);
  const json::object* o = parse_error ? nullptr : state.if_object();
  const json::value* id = o ? o->if_contains("id") : nullptr;
  const json::value* exp = o ? o->if_contains("exp") : nullptr;
  if (!id || !id->is_string() || id->get_string().size() != 32 || !exp || !exp->is_int64()) {
    return Status::Internal("a sealed request state does not hold {id, exp}");
  }
  if (now >= exp->get_int64()) {
    return Refused(RequestStateProblem::kExpired,
                   "this requestState expired; nothing was done. Call the tool again without "
                   "requestState to be asked again");
  }
  Opened out;
  out.state = RequestState{std::string(id->get_string()), exp->get_int64()};
  return out;
}

Status RequestStates::Consume(store::Connection& conn, const RequestState& state) const {
  Status used = store::RecordUsedRequestState(conn, state.id, state.expires_at, Now());
  if (used.code() == Status::Code::kFailedPrecondition) {
    return Status::FailedPrecondition(
        "this requestState was already used (a state answers one request once); nothing was done. "
        "Call the tool again without requestState to be asked again");
  }
  return used;
}

}  // namespace rm::tools
