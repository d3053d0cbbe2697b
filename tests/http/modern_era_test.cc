// Protocol revision 2026-07-28 over Streamable HTTP, beside the legacy sessions: requests
// that carry their revision in params._meta need no initialize and no Mcp-Session-Id
// (one sent is ignored), repeat the body in MCP-Protocol-Version, Mcp-Method and Mcp-Name
// (missing or different: 400 with -32020), get their own HTTP statuses (400 for the
// revision's errors, 404 for an unknown method, 202 for a notification), 405 for GET and
// DELETE without a session, and closing the connection cancels the request.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/http/test_server.h"
#include "transports/http/mirrored_headers.h"

namespace http_test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kModern = "2026-07-28";

json::object Meta(const std::string& version = kModern) {
  return {{"io.modelcontextprotocol/protocolVersion", version},
          {"io.modelcontextprotocol/clientCapabilities", json::object{}},
          {"io.modelcontextprotocol/clientInfo", {{"name", "modern-test"}, {"version", "1.0"}}}};
}

std::string ModernJson(int id, const std::string& method, json::object params = {},
                       const std::string& version = kModern) {
  params["_meta"] = Meta(version);
  return RequestJson(id, method, std::move(params));
}

// The headers a 2026-07-28 client sends: no session, the body's version, method and name.
Headers ModernHeaders(const std::string& key, const std::string& method, const std::string& name = "",
                      const std::string& version = kModern) {
  Headers headers = McpHeaders(key, "", version);
  headers.emplace_back("Mcp-Method", method);
  if (!name.empty()) headers.emplace_back("Mcp-Name", name);
  return headers;
}

Response Modern(Client& client, const std::string& key, int id, const std::string& method, json::object params = {},
                const std::string& name = "") {
  return client.Send("POST", "/mcp", ModernHeaders(key, method, name), ModernJson(id, method, std::move(params)));
}

Response ModernCall(Client& client, const std::string& key, int id, const std::string& tool,
                    json::object arguments = {}) {
  return Modern(client, key, id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}}, tool);
}

Headers Without(Headers headers, const std::string& name) {
  std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  return headers;
}
Headers Replacing(Headers headers, const std::string& name, const std::string& value) {
  headers = Without(std::move(headers), name);
  headers.emplace_back(name, value);
  return headers;
}

// The rm_mcp_sessions gauge of /metrics: legacy sessions open.
std::string OpenSessions(Client& client) {
  const std::string text = client.Send("GET", "/metrics").body;
  const std::size_t at = text.find("\nrm_mcp_sessions ");
  if (at == std::string::npos) return "?";
  const std::size_t start = at + std::string("\nrm_mcp_sessions ").size();
  return text.substr(start, text.find('\n', start) - start);
}

void ExpectError(const Response& r, int status, int code, const json::value& id) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  const json::value body = r.json();
  EXPECT_EQ(body.at("error").at("code"), code) << r.body;
  EXPECT_EQ(body.at("id"), id) << r.body;
}

TEST(HttpModernEra, StatelessCallsNeedNoHandshakeAndNoSession) {
  TestServer server;
  Client client(server.port());
  Response discover = Modern(client, kAliceKey, 1, "server/discover");
  ASSERT_EQ(discover.status, 200) << discover.body;
  EXPECT_EQ(discover.header("mcp-session-id"), "") << "2026-07-28 never mints a session";
  const json::value result = discover.json().at("result");
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("supportedVersions").at(0), kModern);
  EXPECT_TRUE(result.at("capabilities").as_object().contains("tools"));
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name").kind(), json::kind::string);

  // Another connection, no initialize, no session: the caller is the key's.
  Client other(server.port());
  Response who = ModernCall(other, kAliceKey, 2, "whoami");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.header("mcp-session-id"), "");
  const json::value sc = who.json().at("result").at("structuredContent");
  EXPECT_EQ(sc.at("principal"), "alice");
  EXPECT_EQ(sc.at("version"), kModern);
  EXPECT_EQ(sc.at("client"), "modern-test");
  EXPECT_EQ(who.json().at("result").at("resultType"), "complete");
  EXPECT_TRUE(who.json().at("result").at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));

  Response bob = ModernCall(other, kBobKey, 3, "whoami");
  EXPECT_EQ(bob.json().at("result").at("structuredContent").at("principal"), "bob") << "each request's own key";

  Response echo = ModernCall(client, kAliceKey, 4, "echo", {{"text", "hi"}});
  ASSERT_EQ(echo.status, 200) << echo.body;
  EXPECT_EQ(echo.json().at("result").at("structuredContent").at("echo"), "hi");
  EXPECT_EQ(OpenSessions(client), "0") << "nothing is kept between requests";
}

TEST(HttpModernEra, ListsSayHowLongAndForWhomTheyMayBeCached) {
  TestServer server;
  Client client(server.port());
  Response tools = Modern(client, kAliceKey, 1, "tools/list");
  ASSERT_EQ(tools.status, 200) << tools.body;
  const json::value t = tools.json().at("result");
  EXPECT_EQ(t.at("resultType"), "complete");
  EXPECT_EQ(t.at("cacheScope"), "public");
  EXPECT_EQ(t.at("ttlMs"), 3'600'000);
  EXPECT_TRUE(t.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));

  Response resources = Modern(client, kAliceKey, 2, "resources/list");
  ASSERT_EQ(resources.status, 200) << resources.body;
  EXPECT_EQ(resources.json().at("result").at("cacheScope"), "private");
  EXPECT_EQ(resources.json().at("result").at("ttlMs"), 0);
}

TEST(HttpModernEra, UnsupportedVersionIs400WithTheSupportedOnes) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", ModernHeaders(kAliceKey, "tools/list", "", "1900-01-01"),
                           ModernJson(7, "tools/list", {}, "1900-01-01"));
  ExpectError(r, 400, -32022, 7);
  const json::value data = r.json().at("error").at("data");
  EXPECT_EQ(data.at("requested"), "1900-01-01");
  const json::array& supported = data.at("supported").as_array();
  EXPECT_NE(std::find(supported.begin(), supported.end(), json::value(kModern)), supported.end());
  EXPECT_NE(std::find(supported.begin(), supported.end(), json::value("2025-11-25")), supported.end());
}

TEST(HttpModernEra, MissingClientCapabilitiesIs400ButAnUnknownToolIsAnAnswer) {
  TestServer server;
  Client client(server.port());
  json::object params{{"_meta", {{"io.modelcontextprotocol/protocolVersion", kModern}}}};
  Response r = client.Send("POST", "/mcp", ModernHeaders(kAliceKey, "tools/list"),
                           RequestJson(3, "tools/list", std::move(params)));
  ExpectError(r, 400, -32602, 3);
  // -32602 from the method itself (an unknown tool) is not a malformed request.
  Response unknown = ModernCall(client, kAliceKey, 4, "no_such_tool");
  ExpectError(unknown, 200, -32602, 4);
}

// The fixture's tools plus one that cannot work without the client's sampling capability.
std::unique_ptr<mcp::ServerDefinition> ServerWithAToolNeedingSampling() {
  auto definition = fixture::MakeServer(std::make_shared<fixture::Observations>());
  mcp::Tool tool;
  tool.name = "needs_sampling";
  tool.description = "Refuses with -32021 unless the client declared sampling.";
  tool.input_schema = json::object{{"type", "object"}};
  tool.handler = [](const json::object&, mcp::CallContext& ctx) {
    ctx.RequireClientCapability("sampling");
    return mcp::ToolResult::Ok(json::object{{"sampled", true}});
  };
  definition->tools.Add(std::move(tool));
  return definition;
}

// A method's own -32021 (a capability the client did not declare) is the client's mistake:
// HTTP 400, like the transport's -32020, not the 200 of an answer from the method.
TEST(HttpModernEra, MissingRequiredClientCapabilityIs400) {
  TestServer server(TestOptions(), ServerWithAToolNeedingSampling());
  Client client(server.port());
  Response refused = ModernCall(client, kAliceKey, 5, "needs_sampling");
  ExpectError(refused, 400, -32021, 5);
  EXPECT_EQ(refused.json().at("error").at("data").at("requiredCapabilities"),
            (json::object{{"sampling", json::object{}}}))
      << refused.body;

  // Declared, the same call is an ordinary 200 answer.
  json::object meta = Meta();
  meta["io.modelcontextprotocol/clientCapabilities"] = json::object{{"sampling", json::object{}}};
  Response allowed = client.Send(
      "POST", "/mcp", ModernHeaders(kAliceKey, "tools/call", "needs_sampling"),
      RequestJson(6, "tools/call", {{"name", "needs_sampling"}, {"arguments", json::object{}}, {"_meta", meta}}));
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(allowed.json().at("result").at("structuredContent").at("sampled"), true) << allowed.body;
}

TEST(HttpModernEra, EachMirroredHeaderMissingOrDifferentIs400HeaderMismatch) {
  TestServer server;
  Client client(server.port());
  const std::string body = ModernJson(9, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "x"}}}});
  const Headers good = ModernHeaders(kAliceKey, "tools/call", "echo");
  ASSERT_EQ(client.Send("POST", "/mcp", good, body).status, 200);

  const std::vector<std::pair<std::string, Headers>> cases = {
      {"no MCP-Protocol-Version", Without(good, "MCP-Protocol-Version")},
      {"MCP-Protocol-Version 2025-06-18", Replacing(good, "MCP-Protocol-Version", "2025-06-18")},
      // anthropics/claude-code#93290: a legacy header on a modern body. Refused on purpose.
      {"MCP-Protocol-Version 2025-11-25 (claude-code#93290)", Replacing(good, "MCP-Protocol-Version", "2025-11-25")},
      {"no Mcp-Method", Without(good, "Mcp-Method")},
      {"Mcp-Method tools/list", Replacing(good, "Mcp-Method", "tools/list")},
      {"Mcp-Method in another case", Replacing(good, "Mcp-Method", "Tools/Call")},
      {"no Mcp-Name", Without(good, "Mcp-Name")},
      {"Mcp-Name whoami", Replacing(good, "Mcp-Name", "whoami")},
      {"Mcp-Name not base64", Replacing(good, "Mcp-Name", "=?base64?***?=")},
  };
  for (const auto& [what, headers] : cases) {
    SCOPED_TRACE(what);
    Response r = client.Send("POST", "/mcp", headers, body);
    ExpectError(r, 400, -32020, 9);
    EXPECT_NE(r.json().at("error").at("message").as_string().find("Header mismatch"), json::string::npos);
  }
  EXPECT_EQ(client.Send("POST", "/mcp", good, body).status, 200) << "the connection serves on";
}

TEST(HttpModernEra, McpNameRepeatsTheResourceUriAndThePromptNameAndMayBeBase64) {
  TestServer server;
  Client client(server.port());
  Response read = Modern(client, kAliceKey, 1, "resources/read", {{"uri", "test://a"}}, "test://a");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("result").at("cacheScope"), "private");
  Response wrong_uri = Modern(client, kAliceKey, 2, "resources/read", {{"uri", "test://a"}}, "test://b");
  ExpectError(wrong_uri, 400, -32020, 2);

  Response prompt = Modern(client, kAliceKey, 3, "prompts/get", {{"name", "greet"}, {"arguments", {{"name", "Ann"}}}},
                           "greet");
  ASSERT_EQ(prompt.status, 200) << prompt.body;

  // "=?base64?ZWNobw==?=" is "echo": decoded before it is compared.
  const std::string body = ModernJson(4, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "b64"}}}});
  Response encoded = client.Send("POST", "/mcp", ModernHeaders(kAliceKey, "tools/call", "=?base64?ZWNobw==?="), body);
  ASSERT_EQ(encoded.status, 200) << encoded.body;
  EXPECT_EQ(encoded.json().at("result").at("structuredContent").at("echo"), "b64");
}

TEST(HttpModernEra, UnknownMethodIs404AndPingExistsOnlyInTheLegacyEra) {
  TestServer server;
  Client client(server.port());
  ExpectError(Modern(client, kAliceKey, 1, "no/such/method"), 404, -32601, 1);
  ExpectError(Modern(client, kAliceKey, 2, "ping"), 404, -32601, 2);
  ExpectError(Modern(client, kAliceKey, 3, "initialize"), 404, -32601, 3);

  const std::string session = OpenSession(client, kAliceKey);
  Response legacy_ping = client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"), RequestJson(4, "ping"));
  EXPECT_EQ(legacy_ping.status, 200) << legacy_ping.body;
  EXPECT_TRUE(legacy_ping.json().as_object().contains("result"));
  // A legacy session's unknown method stays what it was: 200 with the JSON-RPC error.
  Response legacy_unknown =
      client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"), RequestJson(5, "no/such/method"));
  ExpectError(legacy_unknown, 200, -32601, 5);
}

TEST(HttpModernEra, AnMcpSessionIdOnAModernRequestIsIgnored) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);  // a legacy session, 2025-11-25

  Headers with_legacy_id = ModernHeaders(kAliceKey, "tools/call", "whoami");
  with_legacy_id.emplace_back("Mcp-Session-Id", session);
  Response r = client.Send("POST", "/mcp", with_legacy_id,
                           ModernJson(1, "tools/call", {{"name", "whoami"}, {"arguments", json::object{}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("version"), kModern) << "not the session's revision";
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("client"), "modern-test");
  EXPECT_EQ(r.header("mcp-session-id"), "") << "never echoed";

  // A bogus id, and another key's session id: neither is looked up (no 404), neither is used.
  Headers with_bogus_id = ModernHeaders(kAliceKey, "tools/list");
  with_bogus_id.emplace_back("Mcp-Session-Id", "0123456789abcdef0123456789abcdef");
  Response bogus = client.Send("POST", "/mcp", with_bogus_id, ModernJson(2, "tools/list"));
  EXPECT_EQ(bogus.status, 200) << bogus.body;
  EXPECT_EQ(bogus.header("mcp-session-id"), "");

  Client bob(server.port());
  Headers bob_with_alices_id = ModernHeaders(kBobKey, "tools/call", "whoami");
  bob_with_alices_id.emplace_back("Mcp-Session-Id", session);
  Response as_bob = bob.Send("POST", "/mcp", bob_with_alices_id,
                             ModernJson(3, "tools/call", {{"name", "whoami"}, {"arguments", json::object{}}}));
  ASSERT_EQ(as_bob.status, 200) << as_bob.body;
  EXPECT_EQ(as_bob.json().at("result").at("structuredContent").at("principal"), "bob");

  // The legacy session is untouched and still speaks its own revision.
  Response legacy = CallTool(client, kAliceKey, session, "whoami", {}, 4);
  ASSERT_EQ(legacy.status, 200) << legacy.body;
  EXPECT_EQ(legacy.json().at("result").at("structuredContent").at("version"), "2025-11-25");
  EXPECT_EQ(legacy.json().at("result").at("structuredContent").at("client"), "http-test");
  EXPECT_FALSE(legacy.json().at("result").as_object().contains("resultType"));
  EXPECT_EQ(OpenSessions(client), "1");
}

TEST(HttpModernEra, GetAndDeleteWithoutASessionAre405) {
  TestServer server;
  Client client(server.port());
  const Headers auth = {{"Authorization", std::string("Bearer ") + kAliceKey}, {"Accept", "text/event-stream"}};
  Response get = client.Send("GET", "/mcp", auth);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.header("allow"), "POST");
  Response del = client.Send("DELETE", "/mcp", auth);
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.header("allow"), "POST");

  // With a legacy session, DELETE still ends it and GET is still the legacy 405.
  const std::string session = OpenSession(client, kAliceKey);
  Headers with_session = auth;
  with_session.emplace_back("Mcp-Session-Id", session);
  EXPECT_EQ(client.Send("GET", "/mcp", with_session).header("allow"), "POST, DELETE");
  EXPECT_EQ(client.Send("DELETE", "/mcp", with_session).status, 204);
}

TEST(HttpModernEra, ANotificationIs202) {
  TestServer server;
  Client client(server.port());
  const std::string body = json::serialize(json::object{
      {"jsonrpc", "2.0"},
      {"method", "notifications/cancelled"},
      {"params", {{"requestId", 1}, {"_meta", Meta()}}}});
  Response r = client.Send("POST", "/mcp", ModernHeaders(kAliceKey, "notifications/cancelled"), body);
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
  // The version header is required on every POST, a notification's too.
  Response no_version =
      client.Send("POST", "/mcp", Without(ModernHeaders(kAliceKey, "notifications/cancelled"), "MCP-Protocol-Version"),
                  body);
  ExpectError(no_version, 400, -32020, nullptr);
}

TEST(HttpModernEra, ALegacyRequestWithoutSessionOrMetaIsStill400AndNamesBothWays) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", McpHeaders(kAliceKey), RequestJson(5, "tools/list"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("initialize"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("2026-07-28"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("_meta"), std::string::npos) << r.body;

  // A client whose header says 2026-07-28 but whose body has no _meta gets the modern error.
  Response no_meta = client.Send("POST", "/mcp", McpHeaders(kAliceKey, "", kModern), RequestJson(6, "tools/list"));
  ExpectError(no_meta, 400, -32602, 6);
}

TEST(HttpModernEra, ReadOnlyCallsStillRunOnTheReadWorkers) {
  transports::HttpOptions options = TestOptions();
  options.worker_threads = 1;
  options.read_worker_threads = 1;
  TestServer server(options);
  Client writer(server.port()), reader(server.port());
  auto slow = std::async(std::launch::async, [&] { return ModernCall(writer, kAliceKey, 1, "slow", {{"ms", 1500}}); });
  while (server.observations().slow_started.load() == 0) std::this_thread::sleep_for(5ms);
  const auto began = std::chrono::steady_clock::now();
  Response read = ModernCall(reader, kAliceKey, 2, "echo", {{"text", "quick"}});
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(slow.get().status, 200);
}

// The raw bytes of a modern tools/call, for clients that hang up before the answer.
std::string RawModernCall(const std::string& tool, json::object arguments, json::object extra_meta = {}) {
  json::object meta = Meta();
  for (auto& [k, v] : extra_meta) meta[k] = v;
  const std::string body = RequestJson(1, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}, {"_meta", meta}});
  std::string raw = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " +
                    std::string(kAliceKey) + "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n" +
                    "Mcp-Name: " + tool + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return raw;
}

TEST(HttpModernEra, ClosingTheConnectionCancelsTheRequest) {
  TestServer server;
  {
    Client client(server.port());
    client.WriteRaw(RawModernCall("slow", {{"ms", 10'000}}));
    while (server.observations().slow_started.load() == 0) std::this_thread::sleep_for(5ms);
  }  // the client closes its connection
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (server.observations().slow_stopped_by_cancel.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(server.observations().slow_stopped_by_cancel.load(), 1);
}

// The watch for a hang-up peeks at the socket; requests the client sends before the
// answer (pipelining) and after it must still reach the parser intact.
TEST(HttpModernEra, PipelinedRequestsAreAnsweredInOrderWhileTheHangUpIsWatched) {
  TestServer server;
  Client client(server.port());
  client.WriteRaw(RawModernCall("slow", {{"ms", 300}}) + RawModernCall("echo", {{"text", "next"}}));
  std::optional<Response> first = client.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->json().at("result").at("structuredContent").at("slept"), true) << first->body;
  std::optional<Response> second = client.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->json().at("result").at("structuredContent").at("echo"), "next") << second->body;
  for (int id = 3; id < 6; ++id) {  // and the kept-alive connection goes on
    Response r = ModernCall(client, kAliceKey, id, "echo", {{"text", "more"}});
    EXPECT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(server.observations().slow_stopped_by_cancel.load(), 0);
}

// A tool that reports progress (so its answer is an event stream), then waits to be cancelled.
std::unique_ptr<mcp::ServerDefinition> ServerWithAStreamingWait(std::shared_ptr<std::atomic<int>> stopped) {
  auto definition = fixture::MakeServer(std::make_shared<fixture::Observations>());
  mcp::Tool tool;
  tool.name = "stream_then_wait";
  tool.description = "Reports progress once, then waits up to 10 s for a cancellation.";
  tool.input_schema = json::object{{"type", "object"}};
  tool.handler = [stopped](const json::object&, mcp::CallContext& ctx) {
    ctx.progress(1, 2, "started");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ctx.cancelled()) {
        ++*stopped;
        ctx.progress(2, 2, "after the cancellation: must not be sent");
        return mcp::ToolResult::Error("cancelled", "stopped");
      }
      std::this_thread::sleep_for(1ms);
    }
    return mcp::ToolResult::Ok(json::object{{"waited", true}});
  };
  definition->tools.Add(std::move(tool));
  return definition;
}

TEST(HttpModernEra, ClosingTheEventStreamCancelsTheRequestAndNothingMoreIsSent) {
  auto stopped = std::make_shared<std::atomic<int>>(0);
  TestServer server(TestOptions(), ServerWithAStreamingWait(stopped));
  {
    Client client(server.port());
    client.WriteRaw(RawModernCall("stream_then_wait", {}, {{"progressToken", "p"}}));
    const std::string seen = client.ReadUntil("notifications/progress");
    ASSERT_NE(seen.find("text/event-stream"), std::string::npos) << seen;
  }  // the client closes the stream
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (stopped->load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(stopped->load(), 1);

  // The same tool on a stream the client keeps open is not cancelled (until the client closes).
  Client keeps(server.port());
  keeps.WriteRaw(RawModernCall("stream_then_wait", {}, {{"progressToken", "q"}}));
  EXPECT_NE(keeps.ReadUntil("notifications/progress").find("\"q\""), std::string::npos);
  EXPECT_FALSE(keeps.ClosedByServer(200ms)) << "an open stream is not a cancellation";
}

TEST(HttpMirroredHeaders, Base64SentinelIsDecodedAndOtherValuesKept) {
  using transports::http::DecodeMirroredValue;
  EXPECT_EQ(DecodeMirroredValue("echo"), "echo");
  EXPECT_EQ(DecodeMirroredValue("=?base64?ZWNobw==?="), "echo");
  EXPECT_EQ(DecodeMirroredValue("=?base64?w6lsYW4=?="), "\xc3\xa9lan");  // "élan"
  EXPECT_EQ(DecodeMirroredValue("=?base64?YWI=?="), "ab");
  EXPECT_EQ(DecodeMirroredValue("=?base64?" "?="), "");
  EXPECT_EQ(DecodeMirroredValue("=?BASE64?ZWNobw==?="), "=?BASE64?ZWNobw==?=") << "the sentinel is case-sensitive";
  EXPECT_FALSE(DecodeMirroredValue("=?base64?ZWNob?="));
  EXPECT_FALSE(DecodeMirroredValue("=?base64?ZW=obw==?="));
  EXPECT_FALSE(DecodeMirroredValue("=?base64?@@@@?="));
}

}  // namespace
}  // namespace http_test
