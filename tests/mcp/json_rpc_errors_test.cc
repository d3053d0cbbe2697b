// Every JSON-RPC error code, each provoked by a malformed input of its kind, and the
// messages that must get no answer at all.
#include <gtest/gtest.h>

#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using fixture::ErrorMessage;

class JsonRpcErrors : public ::testing::Test {
 protected:
  JsonRpcErrors() : server_(fixture::MakeServer(std::make_shared<fixture::Observations>())) {
    server_->report_internal_error = [this](std::string_view what) { reported_.emplace_back(what); };
    client_ = std::make_unique<fixture::SessionClient>(*server_);
    client_->Initialize();
  }

  json::object SendObject(std::string_view text) {
    auto response = client_->Send(text);
    EXPECT_TRUE(response.has_value()) << "no response to " << text;
    return response ? response->as_object() : json::object{};
  }

  std::unique_ptr<mcp::ServerDefinition> server_;
  std::vector<std::string> reported_;
  std::unique_ptr<fixture::SessionClient> client_;
};

TEST_F(JsonRpcErrors, ParseErrorHasNullId) {
  auto response = SendObject(R"({"jsonrpc":"2.0","id":1,"method":"ping")");  // missing brace
  EXPECT_EQ(ErrorCode(response), -32700);
  EXPECT_TRUE(response.at("id").is_null());
  EXPECT_EQ(response.at("jsonrpc"), "2.0");
}

TEST_F(JsonRpcErrors, InvalidUtf8IsAParseErrorThatSaysSo) {
  auto response = SendObject("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xC3\x28\"}");
  EXPECT_EQ(ErrorCode(response), -32700);
  EXPECT_NE(ErrorMessage(response).find("UTF-8"), std::string::npos) << ErrorMessage(response);
}

TEST_F(JsonRpcErrors, NonObjectMessagesAreInvalidRequests) {
  for (const char* text : {"42", "\"ping\"", "null", "true"}) {
    auto response = SendObject(text);
    EXPECT_EQ(ErrorCode(response), -32600) << text;
    EXPECT_TRUE(response.at("id").is_null()) << text;
  }
}

TEST_F(JsonRpcErrors, WrongOrMissingJsonrpcVersionKeepsTheId) {
  auto missing = SendObject(R"({"id":7,"method":"ping"})");
  EXPECT_EQ(ErrorCode(missing), -32600);
  EXPECT_EQ(missing.at("id"), 7);
  auto wrong = SendObject(R"({"jsonrpc":"1.0","id":"x","method":"ping"})");
  EXPECT_EQ(ErrorCode(wrong), -32600);
  EXPECT_EQ(wrong.at("id"), "x");
  EXPECT_NE(ErrorMessage(wrong).find("jsonrpc"), std::string::npos);
}

TEST_F(JsonRpcErrors, IdsMustBeStringsOrIntegers) {
  for (const char* id : {"null", "1.5", "true", "{}", "[1]"}) {
    auto response = SendObject(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    EXPECT_EQ(ErrorCode(response), -32600) << id;
    EXPECT_TRUE(response.at("id").is_null()) << id;
  }
}

TEST_F(JsonRpcErrors, MethodMustBeAString) {
  auto response = SendObject(R"({"jsonrpc":"2.0","id":3,"method":12})");
  EXPECT_EQ(ErrorCode(response), -32600);
  EXPECT_EQ(response.at("id"), 3);
}

TEST_F(JsonRpcErrors, NeitherMethodNorResultIsInvalid) {
  auto response = SendObject(R"({"jsonrpc":"2.0","id":4})");
  EXPECT_EQ(ErrorCode(response), -32600);
  EXPECT_EQ(response.at("id"), 4);
}

TEST_F(JsonRpcErrors, UnknownMethodIsMethodNotFound) {
  auto response = SendObject(R"({"jsonrpc":"2.0","id":"abc","method":"tools/explode"})");
  EXPECT_EQ(ErrorCode(response), -32601);
  EXPECT_EQ(response.at("id"), "abc");
  EXPECT_NE(ErrorMessage(response).find("tools/explode"), std::string::npos);
}

TEST_F(JsonRpcErrors, ParamsThatAreNotAnObjectAreInvalidParams) {
  for (const char* params : {"[1,2]", "\"x\"", "5"}) {
    auto response =
        SendObject(std::string(R"({"jsonrpc":"2.0","id":5,"method":"tools/list","params":)") + params + "}");
    EXPECT_EQ(ErrorCode(response), -32602) << params;
  }
}

TEST_F(JsonRpcErrors, NullParamsCountAsNoParams) {
  auto response = SendObject(R"({"jsonrpc":"2.0","id":6,"method":"ping","params":null})");
  EXPECT_EQ(response.at("result"), json::object{});
}

TEST_F(JsonRpcErrors, MissingRequiredParamIsInvalidParamsNamingIt) {
  auto response = client_->Request("tools/call", {{"arguments", json::object{}}});
  EXPECT_EQ(ErrorCode(response), -32602);
  EXPECT_NE(ErrorMessage(response).find("params.name"), std::string::npos) << ErrorMessage(response);
}

TEST_F(JsonRpcErrors, ApplicationFailureIsInternalErrorWithoutDetails) {
  auto response = client_->Request("resources/read", {{"uri", "test://broken"}});
  EXPECT_EQ(ErrorCode(response), -32603);
  EXPECT_EQ(ErrorMessage(response).find("disk on fire"), std::string::npos);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_NE(reported_[0].find("disk on fire"), std::string::npos);
  // The session keeps serving.
  EXPECT_TRUE(client_->Request("ping").contains("result"));
}

TEST_F(JsonRpcErrors, UnknownResourceIsResourceNotFoundWithUri) {
  auto response = client_->Request("resources/read", {{"uri", "test://zzz"}});
  EXPECT_EQ(ErrorCode(response), -32002);
  EXPECT_EQ(response.at("error").at("data").at("uri"), "test://zzz");
}

TEST_F(JsonRpcErrors, NotificationsAndResponsesGetNoAnswer) {
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","method":"notifications/unknown","params":{}})"));
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","method":"tools/list"})"));  // a request without id is a notification
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]})"));
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","id":9,"result":{}})"));
  EXPECT_FALSE(client_->Send(R"({"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"}})"));
}

TEST_F(JsonRpcErrors, IdsComeBackExactly) {
  auto big = SendObject(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})");
  EXPECT_EQ(big.at("id").to_number<int64_t>(), 9007199254740993);
  auto text = SendObject(R"({"jsonrpc":"2.0","id":"req-1","method":"ping"})");
  EXPECT_EQ(text.at("id"), "req-1");
  EXPECT_EQ(text.at("result"), json::object{});
}

TEST_F(JsonRpcErrors, DeeplyNestedInputIsRejectedNotCrashed) {
  std::string deep(100000, '[');
  auto response = SendObject(deep);
  EXPECT_EQ(ErrorCode(response), -32700);
}

}  // namespace
