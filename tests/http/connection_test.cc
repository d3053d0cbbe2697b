// Connections: slow and idle clients, many connections, graceful stop, HTTPS, metrics.
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace http_test {
namespace {

using namespace std::chrono_literals;

TEST(HttpConnection, ClientThatNeverFinishesItsHeadIsDisconnected) {
  transports::HttpOptions options = TestOptions();
  options.request_timeout = 300ms;
  TestServer server(options);
  Client client(server.port());
  client.WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  std::this_thread::sleep_for(100ms);
  client.WriteRaw("Content-Type: appl");  // trickling, slowloris style
  EXPECT_TRUE(client.ClosedByServer(1500ms));
}

TEST(HttpConnection, SilentNewConnectionIsDisconnected) {
  transports::HttpOptions options = TestOptions();
  options.request_timeout = 300ms;
  TestServer server(options);
  Client client(server.port());
  EXPECT_TRUE(client.ClosedByServer(1500ms));
}

TEST(HttpConnection, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  transports::HttpOptions options = TestOptions();
  options.idle_timeout = 400ms;
  TestServer server(options);
  Client client(server.port());
  ASSERT_EQ(client.Send("GET", "/healthz").status, 200);
  EXPECT_FALSE(client.ClosedByServer(200ms));
  EXPECT_TRUE(client.ClosedByServer(1500ms));
}

TEST(HttpConnection, HeadGetsTheHeadersWithoutTheBodyAndTheConnectionStaysUsable) {
  TestServer server;
  Client client(server.port());
  client.WriteRaw("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string raw = client.ReadUntil("never sent", 300ms);  // all that arrives in 300 ms
  const auto count = [&raw](const std::string& what) {
    std::size_t n = 0;
    for (auto at = raw.find(what); at != std::string::npos; at = raw.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("HTTP/1.1 200"), 2u) << raw;
  // Exactly one body: the GET's. A body after the HEAD would be read as the next response.
  EXPECT_EQ(count(R"({"status":"ok"})"), 1u) << raw;
}

TEST(HttpConnection, MalformedHttpIs400) {
  TestServer server;
  Client client(server.port());
  client.WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n");
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
}

TEST(HttpConnection, AThousandIdleConnectionsDoNotStopService) {
  // Two descriptors per connection live in this process (client and server side).
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < 2500) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  TestServer server;
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(std::make_unique<Client>(server.port()));
  std::this_thread::sleep_for(100ms);

  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = CallTool(client, kAliceKey, session, "echo", {{"text", "still"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("echo"), "still");
  // The idle ones are still open and usable too.
  EXPECT_EQ(idle.back()->Send("GET", "/healthz").status, 200);
}

TEST(HttpConnection, ConnectionsOverTheLimitAreClosedAtOnce) {
  transports::HttpOptions options = TestOptions();
  options.max_connections = 3;
  TestServer server(options);
  std::vector<std::unique_ptr<Client>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<Client>(server.port()));
    ASSERT_EQ(open.back()->Send("GET", "/healthz").status, 200);
  }
  Client refused(server.port());
  EXPECT_TRUE(refused.ClosedByServer(1000ms));
  open.pop_back();  // one leaves...
  std::this_thread::sleep_for(100ms);
  Client admitted(server.port());  // ...so the next one is served
  EXPECT_EQ(admitted.Send("GET", "/healthz").status, 200);
}

TEST(HttpConnection, StopFinishesTheRequestInFlightThenRefusesNewConnections) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  const std::uint16_t port = server.port();

  auto in_flight = std::async(std::launch::async, [&] {
    return CallTool(client, kAliceKey, session, "slow", {{"ms", 500}});
  });
  while (server.observations().slow_started.load() == 0) std::this_thread::sleep_for(5ms);
  const auto stop_began = std::chrono::steady_clock::now();
  server.server().Stop();
  EXPECT_GE(std::chrono::steady_clock::now() - stop_began, 300ms);  // it waited for the tool

  Response r = in_flight.get();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("slept"), true);
  EXPECT_FALSE(r.keep_alive);  // a stopping server closes after the last response
  EXPECT_THROW(Client late(port), boost::system::system_error);
}

TEST(HttpConnection, CallsThatOnlyReadAreNotQueuedBehindSlowCallsThatMayWrite) {
  transports::HttpOptions options = TestOptions();
  options.worker_threads = 1;       // "slow" (not read-only) holds the only worker...
  options.read_worker_threads = 1;  // ...and "echo" (readOnlyHint) has its own
  TestServer server(options);
  Client writer(server.port()), reader(server.port());
  const std::string writer_session = OpenSession(writer, kAliceKey);
  const std::string reader_session = OpenSession(reader, kAliceKey);

  auto slow = std::async(std::launch::async, [&] {
    return CallTool(writer, kAliceKey, writer_session, "slow", {{"ms", 1500}});
  });
  while (server.observations().slow_started.load() == 0) std::this_thread::sleep_for(5ms);
  const auto began = std::chrono::steady_clock::now();
  Response read = CallTool(reader, kAliceKey, reader_session, "echo", {{"text", "quick"}});
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json().at("result").at("structuredContent").at("echo"), "quick");
  EXPECT_EQ(slow.get().status, 200);
}

TEST(HttpConnection, StopClosesIdleConnectionsAtOnce) {
  TestServer server;
  Client idle(server.port());
  ASSERT_EQ(idle.Send("GET", "/healthz").status, 200);
  const auto stop_began = std::chrono::steady_clock::now();
  server.server().Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_began, 1s);
  EXPECT_TRUE(idle.ClosedByServer(500ms));
}

// A self-signed certificate for 127.0.0.1, made with the openssl command line.
std::filesystem::path MakeCertificate() {
  auto dir = std::filesystem::temp_directory_path() / ("rm-http-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
                              (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
                              " >/dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return dir;
}

TEST(HttpConnection, ServesMcpOverHttps) {
  const auto dir = MakeCertificate();
  transports::HttpOptions options = TestOptions();
  options.tls_cert_file = (dir / "cert.pem").string();
  options.tls_key_file = (dir / "key.pem").string();
  TestServer server(options);
  Client client(server.port(), /*tls=*/true);
  const std::string session = OpenSession(client, kAliceKey);
  Response r = CallTool(client, kAliceKey, session, "progress", {}, 3, {{"progressToken", 9}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  EXPECT_EQ(r.events().size(), 4u);
  // Plain HTTP to the TLS port gets nothing useful.
  Client plain(server.port());
  plain.WriteRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_FALSE(plain.ReadResponse().has_value());
  std::filesystem::remove_all(dir);
}

// Why a server with `options` (and no tools) does not start.
rm::Status StartFailure(transports::HttpOptions options) {
  options.authenticator = [](std::string_view) { return std::optional<transports::Credential>(); };
  mcp::ServerDefinition definition;
  transports::HttpServer server(definition, options);
  return server.Start();
}

TEST(HttpConnection, UnreadableCertificateIsAStartError) {
  transports::HttpOptions options = TestOptions();
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  const rm::Status status = StartFailure(options);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/cert.pem"), std::string::npos);
}

TEST(HttpConnection, PortInUseIsAStartError) {
  TestServer first;
  transports::HttpOptions options = TestOptions();
  options.port = first.port();
  const rm::Status status = StartFailure(options);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot listen"), std::string::npos);
}

TEST(HttpConnection, MetricsCountResponsesMethodsAndTools) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  ASSERT_EQ(CallTool(client, kAliceKey, session, "echo", {{"text", "a"}}).status, 200);
  ASSERT_EQ(CallTool(client, kAliceKey, session, "echo", {{"text", "b"}}, 3).status, 200);
  ASSERT_EQ(CallTool(client, kAliceKey, session, "no_such_tool", {}, 4).status, 200);
  client.Send("POST", "/mcp", McpHeaders(""), InitializeJson());  // a 401

  Response metrics = client.Send("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4");
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("rm_mcp_tool_calls_total{tool=\"echo\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rm_mcp_tool_calls_total{tool=\"other\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_mcp_requests_total{method=\"initialize\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_http_responses_total{code=\"401\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_http_responses_total{code=\"202\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_mcp_sessions 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_http_connections 1\n"), std::string::npos);
  EXPECT_NE(text.find("rm_http_request_duration_seconds_count 6\n"), std::string::npos);
}

}  // namespace
}  // namespace http_test
