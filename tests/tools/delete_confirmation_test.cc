// delete_memory with permanent: true asks the user to confirm when the client can
// (tools/delete_confirmation.h): in protocol 2026-07-28 through an input_required
// result and a sealed requestState (tampered, expired, replayed or misbound states
// are refused and change nothing), in the handshake era through elicitation/create.
// A client without elicitation, and a soft delete, are never asked.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>

#include "store/database.h"
#include "tests/tools/memory_test_env.h"
#include "tools/request_state.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

constexpr std::int64_t kStart = 1'800'000'000;  // unix seconds; the tests' clock starts here

json::object Elicitation() { return {{"elicitation", json::object{}}}; }

json::object Accept(bool confirm = true) {
  return {{"action", "accept"}, {"content", {{"confirm", confirm}}}};
}

class DeleteConfirmationTest : public ::testing::Test {
 protected:
  DeleteConfirmationTest()
      : env_([this] {
          tools::ServiceOptions options;
          options.request_states.clock = [this] { return now_.load(); };
          return options;
        }()),
        alice_(env_.AddUser("alice@example.com", "pro")),
        bob_(env_.AddUser("bob@example.com", "pro")) {
    owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  }

  // A memory with two replies; returns the memory's id.
  std::string Thread(Client& client, const std::string& title = "Launch plan") {
    CallResult parent = client.Call("write_memory", {{"title", title}, {"content", "the plan"}});
    EXPECT_FALSE(parent.is_error) << parent.error_message;
    for (const char* reply : {"first", "second"}) {
      CallResult r = client.Call("write_child_memory",
                                 {{"parent_memory_id", parent.id()}, {"title", reply}, {"content", reply}});
      EXPECT_FALSE(r.is_error) << r.error_message;
    }
    // A version of the memory, which a permanent delete removes with it.
    EXPECT_FALSE(client.Call("update_memory", {{"id", parent.id()}, {"content", "the plan, v2"}}).is_error);
    return parent.id();
  }

  // tools/call as a 2026-07-28 request; returns the result (or the error response).
  json::object Modern(Client& client, json::object arguments, json::object capabilities = Elicitation(),
                      std::optional<json::object> responses = std::nullopt,
                      std::optional<std::string> state = std::nullopt) {
    json::object params{{"name", "delete_memory"},
                        {"arguments", std::move(arguments)},
                        {"_meta",
                         {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                          {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)},
                          {"io.modelcontextprotocol/clientInfo", {{"name", "test-client"}, {"version", "1"}}}}}};
    if (responses) params["inputResponses"] = std::move(*responses);
    if (state) params["requestState"] = std::move(*state);
    json::object response = client.Request("tools/call", std::move(params));
    if (const json::value* result = response.if_contains("result")) return result->as_object();
    ADD_FAILURE() << "tools/call failed: " << json::serialize(response);
    return {};
  }

  json::object Permanent(const std::string& id) { return {{"id", id}, {"permanent", true}}; }

  // Asks (first round trip) and returns the state, checking the result's shape.
  std::string AskFor(Client& client, const std::string& id) {
    json::object asked = Modern(client, Permanent(id));
    EXPECT_EQ(asked["resultType"], "input_required") << json::serialize(asked);
    const json::value* state = asked.if_contains("requestState");
    return state && state->is_string() ? std::string(state->get_string()) : "";
  }

  std::int64_t Stored(const std::string& id) {
    return env_.Count("SELECT count(*) FROM memories WHERE id = '" + id + "' OR parent_memory_id = '" + id + "'");
  }
  std::int64_t Versions(const std::string& id) {
    return env_.Count("SELECT count(*) FROM memory_versions WHERE memory_id = '" + id + "'");
  }
  std::int64_t Writes() {
    return env_.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_write'");
  }

  static std::string ErrorCodeOf(const json::object& result) {
    const json::value* code = result.contains("structuredContent")
                                  ? result.at("structuredContent").as_object().if_contains("error")
                                  : nullptr;
    return code ? Str(code->at("code")) : "";
  }

  std::atomic<std::int64_t> now_{kStart};  // before env_: its clock reads it
  MemoryTestEnv env_;
  std::string alice_;
  std::string bob_;
  std::unique_ptr<Client> owner_;
};

// ------------------------------------------------------------------ modern era

TEST_F(DeleteConfirmationTest, ModernAsksWithInputRequiredThenDeletesOnConfirm) {
  const std::string id = Thread(*owner_);
  ASSERT_EQ(Versions(id), 1);
  const std::int64_t writes = Writes();

  json::object asked = Modern(*owner_, Permanent(id));
  EXPECT_EQ(asked.at("resultType"), "input_required");
  // Not a CallToolResult: nothing a client would validate against the outputSchema.
  EXPECT_FALSE(asked.contains("content"));
  EXPECT_FALSE(asked.contains("structuredContent"));
  EXPECT_FALSE(asked.contains("isError"));
  EXPECT_FALSE(asked.contains("ttlMs"));
  EXPECT_TRUE(asked.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
  const json::object& request = asked.at("inputRequests").at("confirm").as_object();
  EXPECT_EQ(request.at("method"), "elicitation/create");
  EXPECT_FALSE(request.contains("id"));
  const json::object& params = request.at("params").as_object();
  EXPECT_EQ(params.at("mode"), "form");
  EXPECT_EQ(params.at("message"), "Permanently delete “Launch plan” and its 2 replies? This cannot be undone.");
  EXPECT_EQ(params.at("requestedSchema").at("properties").at("confirm").at("type"), "boolean");
  EXPECT_EQ(params.at("requestedSchema").at("required"), (json::array{"confirm"}));
  const std::string state = Str(asked.at("requestState"));
  // Asking changes and meters nothing.
  EXPECT_EQ(Stored(id), 3);
  EXPECT_EQ(Writes(), writes);

  json::object done = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(done.at("resultType"), "complete");
  EXPECT_EQ(done.at("isError"), false) << json::serialize(done);
  const json::object& s = done.at("structuredContent").as_object();
  EXPECT_EQ(s.at("deleted"), true);
  EXPECT_EQ(s.at("permanent"), true);
  EXPECT_EQ(s.at("memories_affected"), 3);
  EXPECT_EQ(s.at("confirmation"), "confirmed");
  // As a permanent delete always did: rows and versions gone, one memory_write metered.
  EXPECT_EQ(Stored(id), 0);
  EXPECT_EQ(Versions(id), 0);
  EXPECT_EQ(Writes(), writes + 1);
}

TEST_F(DeleteConfirmationTest, ModernDeclineCancelOrUncheckedDeletesNothing) {
  const std::string id = Thread(*owner_);
  const std::int64_t writes = Writes();
  const std::vector<std::pair<json::object, std::string>> answers = {
      {{{"action", "decline"}}, "declined"},
      {{{"action", "cancel"}}, "cancelled"},
      {Accept(false), "not_confirmed"},
  };
  for (const auto& [answer, verdict] : answers) {
    const std::string state = AskFor(*owner_, id);
    json::object kept = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", answer}}, state);
    EXPECT_EQ(kept.at("isError"), false) << verdict;
    EXPECT_EQ(kept.at("structuredContent").at("deleted"), false) << verdict;
    EXPECT_EQ(kept.at("structuredContent").at("memories_affected"), 0) << verdict;
    EXPECT_EQ(Str(kept.at("structuredContent").at("confirmation")), verdict);
  }
  EXPECT_EQ(Stored(id), 3);
  EXPECT_EQ(Versions(id), 1);
  EXPECT_EQ(Writes(), writes);
}

TEST_F(DeleteConfirmationTest, ModernRetryWithoutTheAnswerAsksAgain) {
  const std::string id = Thread(*owner_);
  const std::string state = AskFor(*owner_, id);
  json::object again = Modern(*owner_, Permanent(id), Elicitation(), json::object{}, state);
  EXPECT_EQ(again.at("resultType"), "input_required");
  EXPECT_TRUE(again.at("inputRequests").as_object().contains("confirm"));
  EXPECT_NE(Str(again.at("requestState")), state);  // a fresh state
  // A response under another key is no answer either.
  json::object other = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"ok", Accept()}}, state);
  EXPECT_EQ(other.at("resultType"), "input_required");
  EXPECT_EQ(Stored(id), 3);
}

TEST_F(DeleteConfirmationTest, ModernTamperedStateIsRefusedAndChangesNothing) {
  const std::string id = Thread(*owner_);
  const std::string state = AskFor(*owner_, id);
  const std::int64_t writes = Writes();
  std::vector<std::string> tampered;
  for (std::size_t at : {state.size() / 2, state.size() - 1, std::size_t{0}}) {
    std::string t = state;
    t[at] = t[at] == 'A' ? 'B' : 'A';
    tampered.push_back(t);
  }
  tampered.push_back(state.substr(0, state.size() - 4));
  tampered.push_back("");
  tampered.push_back("not a state");
  for (const std::string& t : tampered) {
    json::object refused = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, t);
    EXPECT_EQ(refused.at("isError"), true) << t;
    EXPECT_EQ(ErrorCodeOf(refused), "invalid_request_state") << t;
  }
  EXPECT_EQ(Stored(id), 3);
  EXPECT_EQ(Writes(), writes);
  // The genuine state still works: a refused one spends nothing.
  json::object done = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(done.at("structuredContent").at("deleted"), true);
}

TEST_F(DeleteConfirmationTest, ModernExpiredStateIsRefused) {
  const std::string id = Thread(*owner_);
  const std::string state = AskFor(*owner_, id);
  now_ += 10 * 60;  // the default lifetime: 10 minutes
  json::object refused = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(refused.at("isError"), true);
  EXPECT_EQ(ErrorCodeOf(refused), "invalid_request_state");
  EXPECT_NE(Str(refused.at("structuredContent").at("error").at("message")).find("expired"), std::string::npos);
  EXPECT_EQ(Stored(id), 3);

  // A second before expiry it is still good.
  const std::string fresh = AskFor(*owner_, id);
  now_ += 10 * 60 - 1;
  json::object done = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, fresh);
  EXPECT_EQ(done.at("structuredContent").at("deleted"), true) << json::serialize(done);
}

TEST_F(DeleteConfirmationTest, ModernStateIsUsedOnce) {
  // Accepted twice: the second is refused (the memory is gone anyway; a state is checked first).
  const std::string id = Thread(*owner_);
  const std::string state = AskFor(*owner_, id);
  json::object first = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(first.at("structuredContent").at("deleted"), true);
  json::object second = Modern(*owner_, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(second.at("isError"), true);
  EXPECT_EQ(ErrorCodeOf(second), "invalid_request_state");
  EXPECT_NE(Str(second.at("structuredContent").at("error").at("message")).find("already used"), std::string::npos);

  // Declined, then the same state accepted: refused, nothing deleted.
  const std::string other = Thread(*owner_, "Other plan");
  const std::string asked = AskFor(*owner_, other);
  json::object declined = Modern(*owner_, Permanent(other), Elicitation(),
                                 json::object{{"confirm", {{"action", "decline"}}}}, asked);
  EXPECT_EQ(declined.at("structuredContent").at("confirmation"), "declined");
  json::object replayed = Modern(*owner_, Permanent(other), Elicitation(), json::object{{"confirm", Accept()}}, asked);
  EXPECT_EQ(ErrorCodeOf(replayed), "invalid_request_state");
  EXPECT_EQ(Stored(other), 3);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM used_request_states"), 2);
}

TEST_F(DeleteConfirmationTest, ModernRepeatWithARequestIdReplaysTheFirstResult) {
  // SPEC §4 first: a repeated request_id answers the first result and does nothing.
  const std::string id = Thread(*owner_);
  const json::object args{{"id", id}, {"permanent", true}, {"request_id", "delete-1"}};
  json::object asked = Modern(*owner_, args);
  const std::string state = Str(asked.at("requestState"));
  json::object first = Modern(*owner_, args, Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(first.at("structuredContent").at("deleted"), true);
  const std::int64_t writes = Writes();
  json::object again = Modern(*owner_, args, Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(again.at("isError"), false);
  EXPECT_EQ(again.at("structuredContent").at("memories_affected"), 3);
  EXPECT_EQ(Writes(), writes);
  // Asked again with that request_id, it does not ask: the first result is the answer.
  json::object replay = Modern(*owner_, args);
  EXPECT_EQ(replay.at("resultType"), "complete");
  EXPECT_EQ(replay.at("structuredContent").at("deleted"), true);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM used_request_states"), 1);
}

TEST_F(DeleteConfirmationTest, ModernStateIsBoundToMemoryUserVendorAndArguments) {
  const std::string id = Thread(*owner_);
  const std::string other = Thread(*owner_, "Other plan");
  const std::string state = AskFor(*owner_, id);
  const json::object confirm{{"confirm", Accept()}};

  // Another memory of the same user.
  EXPECT_EQ(ErrorCodeOf(Modern(*owner_, Permanent(other), Elicitation(), confirm, state)), "invalid_request_state");
  // Other arguments for the same memory (a request_id added).
  EXPECT_EQ(ErrorCodeOf(Modern(*owner_, {{"id", id}, {"permanent", true}, {"request_id", "r1"}}, Elicitation(),
                               confirm, state)),
            "invalid_request_state");
  // Another user.
  auto bob = env_.Connect(MemoryTestEnv::OwnerKey(bob_));
  EXPECT_EQ(ErrorCodeOf(Modern(*bob, Permanent(id), Elicitation(), confirm, state)), "invalid_request_state");
  // The same user through an agent key (another vendor).
  auto agent = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  EXPECT_EQ(ErrorCodeOf(Modern(*agent, Permanent(id), Elicitation(), confirm, state)), "invalid_request_state");

  EXPECT_EQ(Stored(id), 3);
  EXPECT_EQ(Stored(other), 3);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM used_request_states"), 0);
}

TEST_F(DeleteConfirmationTest, ModernStateOfAnAgentWorksForThatAgentOnly) {
  auto agent = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  const std::string id = Thread(*agent);
  const std::string state = AskFor(*agent, id);
  auto cursor = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
  EXPECT_EQ(ErrorCodeOf(Modern(*cursor, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state)),
            "invalid_request_state");
  json::object done = Modern(*agent, Permanent(id), Elicitation(), json::object{{"confirm", Accept()}}, state);
  EXPECT_EQ(done.at("structuredContent").at("deleted"), true) << json::serialize(done);
}

TEST_F(DeleteConfirmationTest, ModernClientWithoutElicitationDeletesAtOnce) {
  const std::string id = Thread(*owner_);
  json::object done = Modern(*owner_, Permanent(id), json::object{});
  EXPECT_EQ(done.at("resultType"), "complete");
  EXPECT_EQ(done.at("structuredContent").at("deleted"), true);
  EXPECT_FALSE(done.at("structuredContent").as_object().contains("confirmation"));
  EXPECT_EQ(Stored(id), 0);
  // URL-only elicitation cannot ask a form either.
  const std::string other = Thread(*owner_, "Other plan");
  json::object url_only = Modern(*owner_, Permanent(other), {{"elicitation", {{"url", json::object{}}}}});
  EXPECT_EQ(url_only.at("structuredContent").at("deleted"), true);
}

TEST_F(DeleteConfirmationTest, ModernAsksNothingForWhatWouldFailAnyway) {
  json::object missing = Modern(*owner_, Permanent("no-such-memory"));
  EXPECT_EQ(missing.at("resultType"), "complete");
  EXPECT_EQ(ErrorCodeOf(missing), "not_found");
  // An agent may not delete the owner's memory: refused before asking.
  const std::string id = Thread(*owner_);
  auto agent = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  EXPECT_EQ(ErrorCodeOf(Modern(*agent, Permanent(id))), "permission_denied");
}

TEST_F(DeleteConfirmationTest, SoftDeleteNeverAsks) {
  const std::string id = Thread(*owner_);
  json::object trashed = Modern(*owner_, {{"id", id}});
  EXPECT_EQ(trashed.at("resultType"), "complete");
  EXPECT_EQ(trashed.at("structuredContent").at("deleted"), true);
  EXPECT_EQ(trashed.at("structuredContent").at("permanent"), false);

  auto asking = env_.Connect(MemoryTestEnv::OwnerKey(alice_), "test-client", Elicitation());
  const std::string other = Thread(*asking, "Other plan");
  CallResult r = asking->Call("delete_memory", {{"id", other}, {"permanent", false}});
  EXPECT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(r.structured.at("deleted"), true);
  for (const json::object& sent : asking->notifications()) EXPECT_NE(sent.at("method"), "elicitation/create");
}

// ------------------------------------------------------------------ handshake era

class HandshakeConfirmationTest : public DeleteConfirmationTest {
 protected:
  // A client that declared elicitation and answers every elicitation/create with `answer`.
  std::unique_ptr<Client> Answering(json::object answer) {
    auto client = env_.Connect(MemoryTestEnv::OwnerKey(alice_), "test-client", Elicitation());
    Client* raw = client.get();
    raw->on_notification = [this, raw, answer](const json::object& message) {
      if (message.at("method") != "elicitation/create") return;
      asked_.push_back(message.at("params").as_object());
      raw->Respond(message.at("id"), answer);
    };
    return client;
  }
  std::vector<json::object> asked_;
};

TEST_F(HandshakeConfirmationTest, AcceptDeletes) {
  auto client = Answering(Accept());
  const std::string id = Thread(*client);
  const std::int64_t writes = Writes();
  CallResult r = client->Call("delete_memory", Permanent(id));
  ASSERT_FALSE(r.is_error) << r.error_message;
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0].at("message"), "Permanently delete “Launch plan” and its 2 replies? This cannot be undone.");
  EXPECT_EQ(asked_[0].at("mode"), "form");
  EXPECT_EQ(r.structured.at("deleted"), true);
  EXPECT_EQ(r.structured.at("memories_affected"), 3);
  EXPECT_EQ(r.structured.at("confirmation"), "confirmed");
  EXPECT_EQ(Stored(id), 0);
  EXPECT_EQ(Versions(id), 0);
  EXPECT_EQ(Writes(), writes + 1);
}

TEST_F(HandshakeConfirmationTest, DeclineDeletesNothing) {
  auto client = Answering({{"action", "decline"}});
  const std::string id = Thread(*client);
  CallResult r = client->Call("delete_memory", Permanent(id));
  ASSERT_FALSE(r.is_error) << r.error_message;
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(r.structured.at("deleted"), false);
  EXPECT_EQ(r.structured.at("confirmation"), "declined");
  EXPECT_EQ(Stored(id), 3);
}

TEST_F(HandshakeConfirmationTest, ClientWithoutElicitationDeletesAtOnce) {
  const std::string id = Thread(*owner_);
  CallResult r = owner_->Call("delete_memory", Permanent(id));
  ASSERT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(r.structured.at("deleted"), true);
  EXPECT_FALSE(r.structured.contains("confirmation"));
  EXPECT_EQ(Stored(id), 0);
  for (const json::object& sent : owner_->notifications()) EXPECT_NE(sent.at("method"), "elicitation/create");
}

TEST_F(HandshakeConfirmationTest, AnElicitationErrorDeletesNothing) {
  auto client = env_.Connect(MemoryTestEnv::OwnerKey(alice_), "test-client", Elicitation());
  Client* raw = client.get();
  raw->on_notification = [raw](const json::object& message) {
    if (message.at("method") == "elicitation/create") raw->RespondError(message.at("id"), -32603, "no user here");
  };
  const std::string id = Thread(*client);
  CallResult r = client->Call("delete_memory", Permanent(id));
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, "confirmation_failed");
  EXPECT_NE(r.error_message.find("nothing was deleted"), std::string::npos);
  EXPECT_EQ(Stored(id), 3);
}

// ------------------------------------------------------------------ the sealed state itself

class RequestStatesTest : public ::testing::Test {
 protected:
  tools::RequestStates States(std::int64_t ttl, std::int64_t period) {
    tools::RequestStateOptions options;
    options.ttl = std::chrono::seconds(ttl);
    options.rotation_period = std::chrono::seconds(period);
    options.clock = [this] { return now_.load(); };
    return tools::RequestStates(env_.db(), options);
  }
  std::int64_t Secrets() {
    return env_.Count("SELECT count(*) FROM server_secrets WHERE name LIKE 'request_state.%'");
  }

  std::atomic<std::int64_t> now_{0};
  MemoryTestEnv env_;
  const tools::RequestStateBinding binding_{"delete_memory", "user-1", std::nullopt, "digest"};
};

TEST_F(RequestStatesTest, ALiveStateOpensAcrossARotationAndOldSecretsAreRetired) {
  tools::RequestStates states = States(/*ttl=*/100, /*period=*/1000);
  now_ = 5 * 1000 + 950;  // generation 5, 50 s before it ends
  Result<std::string> token = states.Seal(binding_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->substr(0, 2), "5.");

  now_ = 6 * 1000 + 10;  // generation 6; the state is 60 s old
  Result<tools::RequestStates::Opened> opened = states.Open(*token, binding_);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->state.has_value()) << opened->refusal.message;
  ASSERT_TRUE(states.Seal(binding_).ok());  // makes generation 6's secret; 5 stays
  EXPECT_EQ(Secrets(), 2);

  now_ = 7 * 1000 + 10;
  ASSERT_TRUE(states.Seal(binding_).ok());  // generation 7: 5 is retired
  EXPECT_EQ(Secrets(), 2);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM server_secrets WHERE name = 'request_state.5'"), 0);
  opened = states.Open(*token, binding_);
  ASSERT_TRUE(opened.ok());
  EXPECT_FALSE(opened->state.has_value());
  EXPECT_EQ(opened->refusal.problem, tools::RequestStateProblem::kExpired);
}

TEST_F(RequestStatesTest, AnotherProcessOpensTheStateAndSeesItUsed) {
  tools::RequestStates here = States(600, 86400);
  tools::RequestStates there = States(600, 86400);  // another process on the same store
  now_ = 1'000'000;
  Result<std::string> token = here.Seal(binding_);
  ASSERT_TRUE(token.ok());
  Result<tools::RequestStates::Opened> opened = there.Open(*token, binding_);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(opened->state.has_value()) << opened->refusal.message;
  const tools::RequestState state = *opened->state;
  EXPECT_TRUE(env_.db().Write([&](store::Connection& c) { return here.Consume(c, state); }).ok());
  Status again = env_.db().Write([&](store::Connection& c) { return there.Consume(c, state); });
  EXPECT_EQ(again.code(), Status::Code::kFailedPrecondition);
  // A used state's row goes once it has expired, with the next state used.
  now_ += 601;
  Result<std::string> later = here.Seal(binding_);
  ASSERT_TRUE(later.ok());
  Result<tools::RequestStates::Opened> later_opened = here.Open(*later, binding_);
  ASSERT_TRUE(later_opened.ok() && later_opened->state);
  EXPECT_TRUE(env_.db().Write([&](store::Connection& c) { return here.Consume(c, *later_opened->state); }).ok());
  EXPECT_EQ(env_.Count("SELECT count(*) FROM used_request_states"), 1);
}

TEST_F(RequestStatesTest, EachStateIsDifferentAndBoundToItsBinding) {
  tools::RequestStates states = States(600, 86400);
  now_ = 1'000'000;
  Result<std::string> a = states.Seal(binding_);
  Result<std::string> b = states.Seal(binding_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  for (tools::RequestStateBinding other : {tools::RequestStateBinding{"update_memory", "user-1", std::nullopt, "digest"},
                                           tools::RequestStateBinding{"delete_memory", "user-2", std::nullopt, "digest"},
                                           tools::RequestStateBinding{"delete_memory", "user-1", "claude", "digest"},
                                           tools::RequestStateBinding{"delete_memory", "user-1", std::nullopt, "other"}}) {
    Result<tools::RequestStates::Opened> opened = states.Open(*a, other);
    ASSERT_TRUE(opened.ok());
    EXPECT_FALSE(opened->state.has_value());
    EXPECT_EQ(opened->refusal.problem, tools::RequestStateProblem::kInvalid);
  }
  // A generation from the future (the prefix edited) is refused too.
  Result<tools::RequestStates::Opened> future = states.Open("99" + *a, binding_);
  ASSERT_TRUE(future.ok());
  EXPECT_FALSE(future->state.has_value());
}

}  // namespace
}  // namespace rm::testing
