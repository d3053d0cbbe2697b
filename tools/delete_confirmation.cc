#include "tools/delete_confirmation.h"

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "tools/tool_support.h"
#include "util/crypto.h"

namespace rm::tools {
namespace json = boost::json;

namespace {

constexpr std::string_view kTool = "delete_memory";
// The key of the one input request (inputRequests / inputResponses) and of its field.
constexpr std::string_view kConfirmKey = "confirm";
// How long the handshake era waits for a person to answer.
constexpr std::chrono::minutes kAnswerTimeout{5};
// Titles are up to 500 characters; a question needs less.
constexpr std::size_t kTitleInQuestion = 120;

// Form elicitation is declared by "elicitation": {} (form, the default) or by
// "elicitation": {"form": {...}}; {"url": {}} alone offers URL mode only.
bool CanAskForm(const mcp::CallContext& ctx) {
  const json::value* elicitation = ctx.client_capabilities().if_contains("elicitation");
  if (elicitation == nullptr) return false;
  const json::object* modes = elicitation->if_object();
  return modes == nullptr || modes->empty() || modes->contains("form");
}

// Cuts at a UTF-8 character boundary.
std::string Shorten(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// The elicitation/create params: one required boolean, "confirm".
json::object ConfirmForm(const MemoryService::DeletePreview& preview, const mcp::CallContext& ctx) {
  std::string message = "Permanently delete “" + Shorten(preview.title, kTitleInQuestion) + "”";
  if (preview.replies == 1) message += " and its 1 reply";
  if (preview.replies > 1) message += " and its " + std::to_string(preview.replies) + " replies";
  message += "? This cannot be undone.";
  json::object schema{
      {"type", "object"},
      {"properties",
       {{kConfirmKey,
         {{"type", "boolean"},
          {"title", "Delete permanently"},
          {"description", "Yes: delete it and its replies for good. No: keep everything."},
          {"default", false}}}}},
      {"required", json::array{kConfirmKey}}};
  json::object params{{"message", std::move(message)}, {"requestedSchema", std::move(schema)}};
  // "mode" exists from 2025-11-25 on (form is the default there).
  if (ctx.protocol_version() >= "2025-11-25") params["mode"] = "form";
  return params;
}

// What a person answered: "confirmed", or why nothing is deleted.
std::string_view Verdict(const json::value& answer) {
  const json::object* o = answer.if_object();
  const json::value* action = o ? o->if_contains("action") : nullptr;
  if (action && *action == "decline") return "declined";
  if (action && *action == "cancel") return "cancelled";
  if (action && *action == "accept") {
    const json::value* content = o->if_contains("content");
    const json::value* confirm = content && content->is_object() ? content->get_object().if_contains(kConfirmKey)
                                                                  : nullptr;
    if (confirm && confirm->is_bool() && confirm->get_bool()) return "confirmed";
  }
  return "not_confirmed";
}

// A permanent delete that did not happen: a normal result, not an error (the person
// chose; nothing failed), saying why.
mcp::ToolResult NotDeleted(const std::string& id, std::string_view verdict) {
  return mcp::ToolResult::Ok(json::object{{"id", id},
                                          {"deleted", false},
                                          {"permanent", true},
                                          {"memories_affected", 0},
                                          {"confirmation", verdict}});
}

mcp::ToolResult InvalidState(const std::string& message) {
  return mcp::ToolResult::Error("invalid_request_state", message);
}

class DeleteCall {
 public:
  DeleteCall(MemoryService& service, const json::object& args, mcp::CallContext& ctx)
      : service_(service),
        args_(args),
        ctx_(ctx),
        id_(RequiredString(args, "id")),
        permanent_(OptionalBool(args, "permanent").value_or(false)) {}

  mcp::ToolResult Run() {
    // A retry of an input_required result: judged on its state, whatever else holds.
    if (ctx_.modern() && ctx_.request_state()) return Retry(*ctx_.request_state());
    if (!permanent_ || !CanAskForm(ctx_)) return Delete({}, std::nullopt);

    Result<Caller> caller = CallerOf(ctx_);
    if (!caller.ok()) return ErrorResult(caller.status());
    Result<MemoryService::DeletePreview> preview = Preview(*caller);
    if (!preview.ok()) return ErrorResult(preview.status());
    // A request_id already used: DeleteMemory replays its first result.
    if (preview->already_done) return Delete({}, std::nullopt);

    if (ctx_.modern()) return Ask(*caller, *preview);
    Result<json::value> answer = ctx_.request("elicitation/create", ConfirmForm(*preview, ctx_),
                                              std::chrono::duration_cast<std::chrono::milliseconds>(kAnswerTimeout));
    if (!answer.ok()) {
      return mcp::ToolResult::Error("confirmation_failed", "could not ask the user to confirm the permanent delete (" +
                                                               answer.status().message() + "); nothing was deleted");
    }
    const std::string_view verdict = Verdict(*answer);
    if (verdict != "confirmed") return NotDeleted(id_, verdict);
    return Delete({}, "confirmed");
  }

 private:
  Result<MemoryService::DeletePreview> Preview(const Caller& caller) {
    return service_.PreviewPermanentDelete(caller, KeyOf(caller), id_);
  }

  MemoryService::Key KeyOf(const Caller& caller) const {
    std::optional<std::string> request_id = OptionalString(args_, "request_id");
    if (!request_id) return std::nullopt;
    return RequestKey{*request_id, RequestFingerprint(kTool, args_, caller.vendor)};
  }

  // The retry must repeat the arguments exactly: the fingerprint covers all but
  // request_id (and the tool and vendor), so request_id is added to it.
  RequestStateBinding BindingOf(const Caller& caller) const {
    const std::string request_id = OptionalString(args_, "request_id").value_or("");
    return {std::string(kTool), caller.user_id, caller.vendor,
            Sha256Hex(RequestFingerprint(kTool, args_, caller.vendor) + "\n" + request_id)};
  }

  // The delete itself, as it always was; `confirmation` is added to a success.
  mcp::ToolResult Delete(const MemoryService::Precondition& precondition, std::optional<std::string_view> confirmation) {
    mcp::ToolResult result = RunTool(kTool, args_, ctx_, [&](const Caller& c, const MemoryService::Key& k) {
      return service_.DeleteMemory(c, k, id_, permanent_, precondition);
    });
    if (confirmation && !result.is_error && result.structured.is_object()) {
      result.structured.get_object()["confirmation"] = *confirmation;
    }
    return result;
  }

  // Modern era: the question, as an input request, with a fresh sealed state.
  mcp::ToolResult Ask(const Caller& caller, const MemoryService::DeletePreview& preview) {
    Result<std::string> state = service_.request_states().Seal(BindingOf(caller));
    if (!state.ok()) return ErrorResult(state.status());
    json::object requests{
        {kConfirmKey, {{"method", "elicitation/create"}, {"params", ConfirmForm(preview, ctx_)}}}};
    return mcp::ToolResult::NeedsInput(std::move(requests), std::move(*state));
  }

  mcp::ToolResult Retry(const std::string& token) {
    Result<Caller> caller = CallerOf(ctx_);
    if (!caller.ok()) return ErrorResult(caller.status());
    Result<RequestStates::Opened> opened = service_.request_states().Open(token, BindingOf(*caller));
    if (!opened.ok()) return ErrorResult(opened.status());
    if (!opened->state) return InvalidState(opened->refusal.message);
    const RequestState state = *opened->state;

    const json::value* answer = ctx_.input_responses().if_contains(kConfirmKey);
    if (answer == nullptr) {
      // The answer is missing: ask again (SEP-2322), with a new state.
      if (!CanAskForm(ctx_)) {
        return mcp::ToolResult::Error(
            "confirmation_required",
            "this permanent delete needs the user's answer in params.inputResponses.confirm, and this request "
            "does not declare the elicitation capability to ask for it; nothing was deleted");
      }
      Result<MemoryService::DeletePreview> preview = Preview(*caller);
      if (!preview.ok()) return ErrorResult(preview.status());
      return Ask(*caller, *preview);
    }
    const std::string_view verdict = Verdict(*answer);
    if (verdict != "confirmed") {
      // Nothing to do but to spend the state: it answers this request once.
      Status consumed = service_.ConsumeRequestState(state);
      if (consumed.code() == Status::Code::kFailedPrecondition) return InvalidState(consumed.message());
      if (!consumed.ok()) return ErrorResult(consumed);
      return NotDeleted(id_, verdict);
    }
    // Spent in the delete's own transaction: both commit, or neither.
    std::optional<std::string> replayed;
    mcp::ToolResult result = Delete(
        [&](store::Connection& conn) {
          Status consumed = service_.request_states().Consume(conn, state);
          if (consumed.code() == Status::Code::kFailedPrecondition) replayed = consumed.message();
          return consumed;
        },
        "confirmed");
    if (replayed) return InvalidState(*replayed);
    return result;
  }

  MemoryService& service_;
  const json::object& args_;
  mcp::CallContext& ctx_;
  const std::string id_;
  const bool permanent_;
};

}  // namespace

mcp::ToolResult DeleteMemoryTool(MemoryService& service, const json::object& args, mcp::CallContext& ctx) {
  return DeleteCall(service, args, ctx).Run();
}

}  // namespace rm::tools
