// Live changes over Streamable HTTP (transports/http/live_endpoint.cc): a listen's POST
// stream that stays open, GET /mcp's standalone stream, what ends each, and that a
// client which stops reading is dropped instead of making the server hold its backlog.
// The resources are a fake provider the test pushes changes through, so the transport is
// tested alone (the memory rules are tested in tests/tools/live_changes_test.cc).
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "mcp/resource.h"
#include "tests/http/test_server.h"

namespace http_test {
namespace {
namespace json = boost::json;

class LiveProvider : public mcp::ResourceProvider {
 public:
  explicit LiveProvider(int cap) : cap_(cap) {}
  rm::Result<mcp::ResourcePage> List(const std::optional<std::string>&, mcp::CallContext&) override { return mcp::ResourcePage{}; }
  rm::Result<std::vector<mcp::ResourceContents>> Read(const std::string&, mcp::CallContext&) override {
    return rm::Status::NotFound("none");
  }
  std::vector<mcp::ResourceTemplate> Templates() const override { return {{"test://{name}", "t", "", "", ""}}; }
  bool SupportsListening() const override { return true; }
  bool Subscribable(const std::string& uri) const override { return uri.rfind("test://", 0) == 0; }
  bool Covers(const std::string& s, const std::string& uri) const override { return s == uri || s == "test://{name}"; }
  rm::Result<mcp::ListenHandle> Listen(std::shared_ptr<mcp::ResourceListener> listener, mcp::CallContext&) override {
    std::lock_guard lock(mutex_);
    if (count_ >= cap_) return rm::Status::QuotaExceeded("cap");
    ++count_;
    listeners_.push_back(listener);
    return mcp::ListenHandle(static_cast<void*>(nullptr), [this](void*) {
      std::lock_guard lock(mutex_);
      --count_;
    });
  }
  void Push(const mcp::ResourceChanges& changes) {
    for (auto& l : Live()) l->Changed(changes);
  }
  void DropAll() {
    for (auto& l : Live()) l->Dropped();
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }
  bool WaitForCount(int n, std::chrono::milliseconds wait = std::chrono::seconds(3)) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (count() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return count() == n;
  }

 private:
  std::vector<std::shared_ptr<mcp::ResourceListener>> Live() {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<mcp::ResourceListener>> live;
    for (auto& w : listeners_) {
      if (auto l = w.lock()) live.push_back(l);
    }
    return live;
  }
  const int cap_;
  std::mutex mutex_;
  int count_ = 0;
  std::vector<std::weak_ptr<mcp::ResourceListener>> listeners_;
};

struct LiveServer {
  explicit LiveServer(int cap = 16) {
    auto definition = fixture::MakeServer(std::make_shared<fixture::Observations>());
    provider = std::make_shared<LiveProvider>(cap);
    definition->resources = provider;
    server = std::make_unique<TestServer>(TestOptions(), std::move(definition));
  }
  std::shared_ptr<LiveProvider> provider;
  std::unique_ptr<TestServer> server;
};

std::string ListenBody(const std::string& id = "\"L1\"") {
  return R"({"jsonrpc":"2.0","id":)" + id +
         R"(,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
         R"("io.modelcontextprotocol/clientCapabilities":{}},"notifications":{"resourcesListChanged":true,)"
         R"("resourceSubscriptions":["test://{name}"]}}})";
}

std::string RawPost(const std::string& body, const std::string& accept = "application/json, text/event-stream") {
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + std::string(kAliceKey) +
         "\r\nContent-Type: application/json\r\nAccept: " + accept +
         "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::size_t RssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

TEST(LiveStream, ListenOverPostIsAnOpenStreamUntilTheServerEndsIt) {
  LiveServer live;
  Client client(live.server->port());
  client.WriteRaw(RawPost(ListenBody()));
  std::string got = client.ReadUntil("acknowledged");
  ASSERT_NE(got.find("text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("X-Accel-Buffering: no"), std::string::npos) << got;
  ASSERT_TRUE(live.provider->WaitForCount(1));
  live.provider->Push({{"test://a"}, true});
  got = client.ReadUntil("list_changed");
  EXPECT_NE(got.find(R"({"uri":"test://a","_meta":{"io.modelcontextprotocol/subscriptionId":"L1"}})"),
            std::string::npos)
      << got;
  live.provider->DropAll();  // the server ends it: the final result, then the end of the stream
  got = client.ReadUntil("\r\n0\r\n\r\n");
  EXPECT_NE(got.find(R"("id":"L1","result":{"_meta":{"io.modelcontextprotocol/subscriptionId":"L1")"),
            std::string::npos)
      << got;
  EXPECT_NE(got.find(R"("resultType":"complete")"), std::string::npos) << got;
  EXPECT_TRUE(live.provider->WaitForCount(0));
  EXPECT_TRUE(client.ClosedByServer(std::chrono::seconds(2)));
}

TEST(LiveStream, ClosingTheStreamCancelsTheListen) {
  LiveServer live;
  {
    Client client(live.server->port());
    client.WriteRaw(RawPost(ListenBody("7")));
    client.ReadUntil("acknowledged");
    ASSERT_TRUE(live.provider->WaitForCount(1));
  }  // the client goes away
  EXPECT_TRUE(live.provider->WaitForCount(0)) << "the listener stayed registered after its client left";
}

TEST(LiveStream, ListenNeedsAnEventStream) {
  LiveServer live;
  Client client(live.server->port());
  client.WriteRaw(RawPost(ListenBody(), "application/json"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  EXPECT_EQ(live.provider->count(), 0);
}

TEST(LiveStream, ListenersOverTheCapAreRefused) {
  LiveServer live(/*cap=*/2);
  Client a(live.server->port()), b(live.server->port()), c(live.server->port());
  a.WriteRaw(RawPost(ListenBody("1")));
  a.ReadUntil("acknowledged");
  b.WriteRaw(RawPost(ListenBody("2")));
  b.ReadUntil("acknowledged");
  c.WriteRaw(RawPost(ListenBody("3")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("-32600"), std::string::npos) << r->body;
  EXPECT_EQ(live.provider->count(), 2);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST(LiveStream, AClientThatStopsReadingIsDroppedNotBuffered) {
  LiveServer live;
  net::io_context io;
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.set_option(net::socket_base::receive_buffer_size(4096));
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), live.server->port()));
  net::write(socket, net::buffer(RawPost(ListenBody())));
  std::string got;
  while (got.find("acknowledged") == std::string::npos) {
    char chunk[1024];
    got.append(chunk, socket.read_some(net::buffer(chunk)));
  }
  ASSERT_TRUE(live.provider->WaitForCount(1));
  // From here on the client reads nothing. Each push is ~12 KB of events.
  mcp::ResourceChanges changes;
  for (int i = 0; i < 20; ++i) changes.updated.push_back("test://" + std::string(500, 'a' + i));
  const std::size_t rss_before = RssKb();
  int pushes = 0;
  for (; pushes < 5000 && live.provider->count() == 1; ++pushes) {
    live.provider->Push(changes);
    if (pushes % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(live.provider->WaitForCount(0)) << "a client that never reads was kept after " << pushes << " pushes";
  const std::size_t grown_kb = RssKb() - std::min(RssKb(), rss_before);
  // Under AddressSanitizer freed memory stays resident in its quarantine (256 MB), so the
  // resident size says nothing there; the drop above is what proves the bound.
  if (!kAddressSanitizer) {
    EXPECT_LT(grown_kb, 32u * 1024) << "the server grew by " << grown_kb << " KiB for a client that never read";
  }
  RecordProperty("pushes_until_dropped", pushes);
}

TEST(LiveStream, GetOpensTheSessionsStandaloneStream) {
  LiveServer live;
  Client client(live.server->port());
  Response init = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  const std::string session = init.header("mcp-session-id");
  ASSERT_FALSE(session.empty());
  Headers headers = McpHeaders(kAliceKey, session, "2025-11-25");
  client.Send("POST", "/mcp", headers, NotificationJson("notifications/initialized"));
  EXPECT_EQ(init.json().at("result").at("capabilities").at("resources").at("subscribe"), true);

  Client stream(live.server->port());
  stream.WriteRaw("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + std::string(kAliceKey) +
                  "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session +
                  "\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n");
  std::string got = stream.ReadUntil("\r\n\r\n");
  ASSERT_NE(got.find("200 OK"), std::string::npos) << got;
  ASSERT_TRUE(live.provider->WaitForCount(1));

  // One stream per session.
  Client second(live.server->port());
  Headers get = {{"Authorization", std::string("Bearer ") + kAliceKey}, {"Accept", "text/event-stream"},
                 {"Mcp-Session-Id", session}};
  EXPECT_EQ(second.Send("GET", "/mcp", get).status, 409);
  // Another key cannot reach the session.
  Headers bob = get;
  bob[0].second = std::string("Bearer ") + kBobKey;
  EXPECT_EQ(Client(live.server->port()).Send("GET", "/mcp", bob).status, 404);

  Response sub = client.Send("POST", "/mcp", headers, RequestJson(2, "resources/subscribe", {{"uri", "test://b"}}));
  ASSERT_EQ(sub.status, 200) << sub.body;
  live.provider->Push({{"test://a", "test://b"}, true});
  got = stream.ReadUntil("list_changed");
  EXPECT_NE(got.find(R"({"uri":"test://b"})"), std::string::npos) << got;
  EXPECT_EQ(got.find("test://a"), std::string::npos) << "not subscribed: " << got;

  // DELETE ends the session and its stream.
  client.Send("DELETE", "/mcp", headers);
  EXPECT_TRUE(stream.ClosedByServer(std::chrono::seconds(2)));
  EXPECT_TRUE(live.provider->WaitForCount(0));
}

}  // namespace
}  // namespace http_test
