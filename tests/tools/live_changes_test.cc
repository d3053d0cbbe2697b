// Live changes (tools/live_changes.h, mcp/listen.h) through mcp::Session, as stdio
// carries them: who hears of which change. The property test drives random writers
// (users of one org and its team, a user alone, owner and agent keys) and listens as
// every user x vendor, and checks after each operation, against the rows actually
// stored and a model of SPEC §3 written here (not the SQL):
//   - every resources/updated a listener got is for a memory the operation changed and
//     the listener could read before or after it (nothing else: no leak);
//   - every memory the operation changed that the listener could read before or after
//     was notified (nothing missed);
//   - list_changed came exactly when the set of memories it can read changed.
// RM_PROPERTY_SEED=<seed> replays a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/api_keys.h"
#include "store/statement.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

json::object Meta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
}

json::object ListenParams(json::array uris, bool list_changed = true) {
  json::object filter{{"resourceSubscriptions", std::move(uris)}};
  if (list_changed) filter["resourcesListChanged"] = true;
  return {{"_meta", Meta()}, {"notifications", std::move(filter)}};
}

// What a listener heard since `from` (an index into Client::notifications()).
struct Heard {
  std::set<std::string> updated;
  int list_changed = 0;
  int other = 0;
};
Heard HeardSince(const Client& client, std::size_t& from) {
  Heard heard;
  const auto all = client.notifications();
  for (std::size_t i = from; i < all.size(); ++i) {
    const json::object& n = all[i];
    if (!n.contains("method")) continue;  // the listen's own response, when it ends
    const std::string method = Str(n.at("method"));
    if (method == "notifications/resources/updated") {
      heard.updated.insert(Str(n.at("params").at("uri")));
    } else if (method == "notifications/resources/list_changed") {
      ++heard.list_changed;
    } else if (method != "notifications/subscriptions/acknowledged") {
      ++heard.other;
    }
  }
  from = all.size();
  return heard;
}

// A memories row as stored, and the model of who may read it (SPEC §3).
struct Row {
  std::string id, user, title, content, tags, allowed, updated_at;
  std::optional<std::string> deleted_at, org, team;
  bool operator==(const Row&) const = default;
};
struct Who {
  std::string user;
  std::optional<std::string> org, team, vendor;
  std::string label;
};
bool CanRead(const Row& r, const Who& w) {
  if (r.deleted_at) return false;
  const bool pools = r.user == w.user || (r.org && r.org == w.org) || (r.team && r.team == w.team);
  if (!pools) return false;
  if (!w.vendor) return true;
  json::array allowed = json::parse(r.allowed).as_array();
  for (const auto& v : allowed) {
    if (Str(v) == "*" || Str(v) == *w.vendor) return true;
  }
  return false;
}

std::map<std::string, Row> Rows(MemoryTestEnv& env) {
  std::map<std::string, Row> rows;
  Status s = env.db().Read([&](store::Connection& conn) {
    store::Statement& st = conn.Prepare(
        "SELECT id, user_id, title, content, tags, allowed_vendors, updated_at, deleted_at, shared_with_org_id, "
        "shared_with_team_id FROM memories");
    while (true) {
      Result<bool> row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Row r{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5), st.Text(6),
            st.OptionalText(7), st.OptionalText(8), st.OptionalText(9)};
      rows[r.id] = r;
    }
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

std::string Uri(const std::string& id) { return "memory://" + id; }

// A real agent key of `user` for `vendor`, as the HTTP authenticator resolves it.
tools::Principal RealAgentKey(MemoryTestEnv& env, const std::string& user, const std::string& vendor) {
  tools::Principal principal = MemoryTestEnv::AgentKey(user, vendor);
  Status s = env.db().Write([&](store::Connection& conn) -> Status {
    Result<store::CreatedApiKey> key = store::CreateApiKey(conn, {user, "live", vendor});
    if (!key.ok()) return key.status();
    principal.key_id = key->key.id;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return principal;
}

std::uint64_t Seed(std::uint64_t fixed) {
  if (const char* s = std::getenv("RM_PROPERTY_SEED")) return std::strtoull(s, nullptr, 10);
  return fixed ? fixed : std::random_device{}();
}

void RunProperty(std::uint64_t seed, int operations) {
  SCOPED_TRACE("re-run with RM_PROPERTY_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  MemoryTestEnv env;
  const std::string u1 = env.AddUser("u1@x.io", "team"), u2 = env.AddUser("u2@x.io", "team");
  const std::string u3 = env.AddUser("u3@x.io", "team"), u4 = env.AddUser("u4@x.io");
  const std::string org = env.CreateOrg("o", u1);
  const std::string team = env.CreateTeam(org, "t");
  env.Join(org, u1, team);
  env.Join(org, u2, team);
  env.Join(org, u3);
  const std::vector<std::optional<std::string>> vendors = {std::nullopt, "claude", "cursor"};
  struct Party {
    Who who;
    std::unique_ptr<Client> client;
    std::size_t seen = 0;
  };
  std::vector<Party> listeners, writers;
  for (const auto& [user, o, t] : std::vector<std::tuple<std::string, std::optional<std::string>,
                                                          std::optional<std::string>>>{
           {u1, org, team}, {u2, org, team}, {u3, org, std::nullopt}, {u4, std::nullopt, std::nullopt}}) {
    for (const auto& vendor : vendors) {
      Who who{user, o, t, vendor, user.substr(0, 4) + "/" + vendor.value_or("owner")};
      auto principal = vendor ? MemoryTestEnv::AgentKey(user, *vendor) : MemoryTestEnv::OwnerKey(user);
      Party listener{who, env.Connect(principal)};
      auto opened = listener.client->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
      EXPECT_FALSE(opened) << "a listen stays open: " << json::serialize(*opened);
      listeners.push_back(std::move(listener));
      writers.push_back(Party{who, env.Connect(principal)});
    }
  }
  ASSERT_EQ(env.service().live()->listeners(), listeners.size());

  const std::vector<json::array> allowed = {{"*"}, {"*"}, {"claude"}, {"cursor"}, json::array{}, {"claude", "cursor"}};
  std::vector<std::string> ids;  // every memory written so far
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  int notified = 0;
  for (int op = 0; op < operations; ++op) {
    const std::map<std::string, Row> before = Rows(env);
    Party& w = writers[pick(writers.size())];
    const std::string id = ids.empty() ? "none" : ids[pick(ids.size())];
    std::string what;
    CallResult r;
    switch (ids.empty() ? 0 : pick(9)) {
      case 0:
      case 1: {
        json::object args{{"title", "m" + std::to_string(op)}, {"content", "c"},
                          {"allowed_vendors", allowed[pick(allowed.size())]}};
        if (pick(3) == 0) args["share_scope"] = pick(2) ? "org" : "team";
        what = "write";
        r = w.client->Call("write_memory", args);
        break;
      }
      case 2:
        what = "reply to " + id;
        r = w.client->Call("write_child_memory", {{"parent_memory_id", id}, {"title", "r"}, {"content", "c"},
                                                  {"allowed_vendors", allowed[pick(allowed.size())]}});
        break;
      case 3:
        what = "update " + id;
        r = w.client->Call("update_memory", pick(2) ? json::object{{"id", id}, {"title", "t" + std::to_string(op)}}
                                                   : json::object{{"id", id}, {"allowed_vendors", allowed[pick(allowed.size())]}});
        break;
      case 4:
        what = "delete " + id;
        r = w.client->Call("delete_memory", {{"id", id}, {"permanent", pick(4) == 0}});
        break;
      case 5:
        what = "restore " + id;
        r = w.client->Call("restore_memory", {{"id", id}});
        break;
      case 6:
        what = "share " + id;
        r = w.client->Call("share_memory", {{"memory_id", id}, {"scope", pick(2) ? "org" : "team"}});
        break;
      case 7:
      case 8:
        what = "unshare " + id;
        r = w.client->Call("unshare_memory", {{"memory_id", id}});
        break;
    }
    if (!r.is_error && r.structured.contains("memory")) {
      if (std::find(ids.begin(), ids.end(), r.id()) == ids.end()) ids.push_back(r.id());
    }
    env.service().live()->Flush();
    const std::map<std::string, Row> after = Rows(env);
    std::set<std::string> changed;
    for (const auto& [rid, row] : before) {
      auto it = after.find(rid);
      if (it == after.end() || !(it->second == row)) changed.insert(rid);
    }
    for (const auto& [rid, row] : after) {
      if (!before.count(rid)) changed.insert(rid);
    }
    for (Party& l : listeners) {
      SCOPED_TRACE("operation " + std::to_string(op) + " (" + what + " by " + w.who.label + "), listener " +
                   l.who.label);
      std::set<std::string> expected;
      bool list_changed = false;
      for (const std::string& rid : changed) {
        const bool was = before.count(rid) && CanRead(before.at(rid), l.who);
        const bool is = after.count(rid) && CanRead(after.at(rid), l.who);
        if (was || is) expected.insert(Uri(rid));
        if (was != is) list_changed = true;
      }
      const Heard heard = HeardSince(*l.client, l.seen);
      for (const std::string& uri : heard.updated) {
        EXPECT_TRUE(expected.count(uri)) << "LEAK or spurious: told of " << uri;
      }
      for (const std::string& uri : expected) EXPECT_TRUE(heard.updated.count(uri)) << "MISSED: " << uri;
      EXPECT_EQ(heard.list_changed, list_changed ? 1 : 0);
      EXPECT_EQ(heard.other, 0);
      notified += static_cast<int>(heard.updated.size());
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(notified, operations / 2) << "the run notified too little to mean anything";
}

TEST(LiveChangesProperty, EveryListenerHearsExactlyWhatItCouldReadFixedSeed) { RunProperty(Seed(20261203), 600); }
TEST(LiveChangesProperty, EveryListenerHearsExactlyWhatItCouldReadRandomSeed) { RunProperty(Seed(0), 300); }

TEST(LiveChanges, ListenIsAcknowledgedFirstAndTagsEveryNotification) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto listener = env.Connect(MemoryTestEnv::AgentKey(u, "claude"));
  json::object params = ListenParams({"memory://{id}", "file:///not-mine"});
  params["notifications"].as_object()["toolsListChanged"] = true;
  json::object request{{"jsonrpc", "2.0"}, {"id", "L-1"}, {"method", "subscriptions/listen"}, {"params", params}};
  auto writer = env.Connect(MemoryTestEnv::AgentKey(u, "claude"));
  EXPECT_FALSE(listener->TryRequest("subscriptions/listen", params).has_value());
  const auto first = listener->notifications();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Str(first[0].at("method")), "notifications/subscriptions/acknowledged");
  // Only what is honoured: resources; not the tool list (it never changes), not a foreign URI.
  EXPECT_EQ(json::serialize(first[0].at("params").at("notifications")),
            R"({"resourcesListChanged":true,"resourceSubscriptions":["memory://{id}"]})");
  const json::value id = first[0].at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId");
  const std::string written = writer->Call("write_memory", {{"title", "t"}, {"content", "c"}}).id();
  env.service().live()->Flush();
  const auto all = listener->notifications();
  ASSERT_EQ(all.size(), 3u);
  for (const auto& n : all) EXPECT_EQ(n.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), id);
  EXPECT_EQ(Str(all[1].at("params").at("uri")), "memory://" + written);
}

TEST(LiveChanges, SubscriptionToOneUriHearsOnlyThatMemory) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto writer = env.Connect(MemoryTestEnv::OwnerKey(u));
  const std::string a = writer->Call("write_memory", {{"title", "a"}, {"content", "c"}}).id();
  const std::string b = writer->Call("write_memory", {{"title", "b"}, {"content", "c"}}).id();
  auto listener = env.Connect(MemoryTestEnv::OwnerKey(u));
  listener->TryRequest("subscriptions/listen", ListenParams({json::value("memory://" + a)}, false));
  std::size_t seen = 1;
  writer->Call("update_memory", {{"id", b}, {"title", "b2"}});
  writer->Call("update_memory", {{"id", a}, {"title", "a2"}});
  env.service().live()->Flush();
  Heard heard = HeardSince(*listener, seen);
  EXPECT_EQ(heard.updated, std::set<std::string>{"memory://" + a});
  EXPECT_EQ(heard.list_changed, 0);  // not asked for
}

TEST(LiveChanges, CancelledListenHearsNothingMoreAndIsUnregistered) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto listener = env.Connect(MemoryTestEnv::OwnerKey(u));
  const long id = listener->next_request_id();
  listener->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
  EXPECT_EQ(env.service().live()->listeners(), 1u);
  listener->Notify("notifications/cancelled", {{"requestId", id}});
  EXPECT_EQ(env.service().live()->listeners(), 0u);
  env.Connect(MemoryTestEnv::OwnerKey(u))->Call("write_memory", {{"title", "a"}, {"content", "c"}});
  env.service().live()->Flush();
  EXPECT_EQ(listener->notifications().size(), 1u);  // the acknowledgement only
}

TEST(LiveChanges, ListenersPerKeyAreCapped) {
  tools::ServiceOptions options;
  options.live_limits.listeners_per_key = 16;
  MemoryTestEnv env(options);
  const std::string u = env.AddUser("a@x.io");
  tools::Principal key = RealAgentKey(env, u, "claude");
  auto client = env.Connect(key);
  for (int i = 0; i < 16; ++i) EXPECT_FALSE(client->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"})));
  auto refused = client->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->at("error").at("code"), -32600) << json::serialize(*refused);
  // Another key of the same user is not affected.
  tools::Principal other = RealAgentKey(env, u, "claude");
  EXPECT_FALSE(env.Connect(other)->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"})));
  // Ending one makes room again.
  client->Notify("notifications/cancelled", {{"requestId", 2}});
  EXPECT_FALSE(client->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"})));
}

// SPEC §2: a revoked key stops working within a second — an open listen included.
TEST(LiveChanges, AListenOfARevokedKeyEndsWithinASecond) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  const tools::Principal revoked = RealAgentKey(env, u, "claude");
  const tools::Principal kept = RealAgentKey(env, u, "claude");
  auto listener = env.Connect(revoked);
  auto other = env.Connect(kept);
  listener->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
  other->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
  auto writer = env.Connect(MemoryTestEnv::OwnerKey(u));
  writer->Call("write_memory", {{"title", "before"}, {"content", "c"}, {"allowed_vendors", json::array{"*"}}});
  env.service().live()->Flush();
  std::size_t seen = 1;
  ASSERT_EQ(HeardSince(*listener, seen).updated.size(), 1u);  // it worked until now

  ASSERT_TRUE(env.db().Write([&](store::Connection& conn) {
    return store::RevokeApiKey(conn, revoked.key_id).status();
  }).ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  while (env.service().live()->listeners() > 1 && std::chrono::steady_clock::now() - revoked_at < std::chrono::seconds(3)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - revoked_at).count();
  EXPECT_EQ(env.service().live()->listeners(), 1u) << "the revoked key's listen is still open";
  EXPECT_LT(ms, 1500.0) << "the revoked key's listen ended after " << ms << " ms";

  writer->Call("write_memory", {{"title", "after"}, {"content", "c"}, {"allowed_vendors", json::array{"*"}}});
  env.service().live()->Flush();
  EXPECT_TRUE(HeardSince(*listener, seen).updated.empty()) << "a revoked key still hears of changes";
  std::size_t other_seen = 0;
  EXPECT_EQ(HeardSince(*other, other_seen).updated.size(), 2u) << "the other key's listen must go on";
}

TEST(LiveChanges, NotificationArrivesWithin100Milliseconds) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto listener = env.Connect(MemoryTestEnv::OwnerKey(u));
  std::mutex m;
  std::condition_variable cv;
  std::optional<std::chrono::steady_clock::time_point> at;
  listener->on_notification = [&](const json::object& n) {
    if (n.at("method") != "notifications/resources/updated") return;
    std::lock_guard lock(m);
    at = std::chrono::steady_clock::now();
    cv.notify_all();
  };
  listener->TryRequest("subscriptions/listen", ListenParams({"memory://{id}"}));
  auto writer = env.Connect(MemoryTestEnv::AgentKey(u, "cursor"));
  std::vector<double> ms;
  for (int i = 0; i < 50; ++i) {
    {
      std::lock_guard lock(m);
      at.reset();
    }
    const auto start = std::chrono::steady_clock::now();
    writer->Call("write_memory", {{"title", "t"}, {"content", "c"}});
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(1), [&] { return at.has_value(); }));
    ms.push_back(std::chrono::duration<double, std::milli>(*at - start).count());
  }
  std::sort(ms.begin(), ms.end());
  EXPECT_LT(ms.back(), 100.0) << "slowest write-to-notification";
}

TEST(LiveChanges, HandshakeEraSubscribeAndUnsubscribe) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto writer = env.Connect(MemoryTestEnv::OwnerKey(u));
  const std::string a = writer->Call("write_memory", {{"title", "a"}, {"content", "c"}}).id();
  auto client = env.Connect(MemoryTestEnv::AgentKey(u, "claude"));
  const auto caps = client->initialize_result().at("capabilities").at("resources");
  EXPECT_EQ(json::serialize(caps), R"({"subscribe":true,"listChanged":true})");
  EXPECT_TRUE(client->Request("resources/subscribe", {{"uri", "memory://" + a}}).contains("result"));
  EXPECT_EQ(client->Request("resources/subscribe", {{"uri", "file:///x"}}).at("error").at("code"), -32602);
  std::size_t seen = 0;
  writer->Call("update_memory", {{"id", a}, {"title", "a2"}});
  env.service().live()->Flush();
  Heard heard = HeardSince(*client, seen);
  EXPECT_EQ(heard.updated, std::set<std::string>{"memory://" + a});
  const auto n = client->notifications().back();
  EXPECT_FALSE(n.at("params").as_object().contains("_meta"));  // no subscription id in the handshake era
  EXPECT_TRUE(client->Request("resources/unsubscribe", {{"uri", "memory://" + a}}).contains("result"));
  writer->Call("update_memory", {{"id", a}, {"title", "a3"}});
  env.service().live()->Flush();
  EXPECT_TRUE(HeardSince(*client, seen).updated.empty());
  // A new memory still changes its list (list_changed needs no subscription).
  writer->Call("write_memory", {{"title", "b"}, {"content", "c"}});
  env.service().live()->Flush();
  EXPECT_EQ(HeardSince(*client, seen).list_changed, 1);
}

TEST(LiveChanges, ModernErasHasNoSubscribeAndHandshakeEraNoListen) {
  MemoryTestEnv env;
  const std::string u = env.AddUser("a@x.io");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(u));
  EXPECT_EQ(client->Request("resources/subscribe", {{"uri", "memory://x"}, {"_meta", Meta()}}).at("error").at("code"),
            -32601);
  EXPECT_EQ(client->Request("subscriptions/listen", {{"notifications", json::object{}}}).at("error").at("code"),
            -32601);
  auto missing = client->TryRequest("subscriptions/listen", {{"_meta", Meta()}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->at("error").at("code"), -32602);
}

}  // namespace
}  // namespace rm::testing
