// A WebApp over a fresh store, with one person who can sign in, and the steps a browser takes.
#pragma once

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "store/database.h"
#include "store/users.h"
#include "store/web_accounts.h"
#include "tools/memory_service.h"
#include "tests/store/temp_dir.h"
#include "util/password_hash.h"
#include "web/form.h"
#include "web/web_app.h"

namespace rm::web::testing {

inline constexpr const char* kIssuer = "https://memory.example.com";
inline constexpr const char* kPassword = "correct horse battery";

inline WebOptions TestOptions() {
  WebOptions options;
  options.public_url = kIssuer;
  options.login_failures_per_account = 3;
  options.login_failures_per_address = 100;
  return options;
}

class WebFixture {
 public:
  explicit WebFixture(WebOptions options = TestOptions()) {
    auto db = store::Database::Open(dir_.File("memory.db"));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto user = store::WriteValue<store::User>(*db_, [](store::Connection& c) {
      return store::InsertUser(c, store::NewUser{"ada@example.com"});
    });
    EXPECT_TRUE(user.ok());
    user_id_ = user->id;
    const std::string hash = HashPassword(kPassword).value();
    EXPECT_TRUE(db_->Write([&](store::Connection& c) { return store::SetPasswordHash(c, user_id_, hash); }).ok());
    memories_ = std::make_shared<tools::MemoryService>(*db_);
    app_ = std::make_unique<WebApp>(*db_, std::move(options), memories_);
  }

  WebApp& app() { return *app_; }
  tools::MemoryService& memories() { return *memories_; }
  // The route serving `path` (exact, else the longest prefix), called as the server would.
  Response Call(const Request& request) {
    if (routes_.empty()) routes_ = app_->Routes();
    const Route* best = nullptr;
    for (const Route& route : routes_) {
      if (route.path == request.path) return route.handle(request);
      if (route.prefix && request.path.rfind(route.path, 0) == 0 && (!best || route.path.size() > best->path.size())) best = &route;
    }
    return best ? best->handle(request) : Response{404, "", "", {}};
  }
  store::Database& db() { return *db_; }
  const std::string& user_id() const { return user_id_; }

  // A signed-in browser: the cookie header and the session's CSRF token.
  struct Browser {
    std::string cookie;
    std::string csrf;
  };
  Browser SignedIn() {
    auto session = store::WriteValue<store::WebSession>(*db_, [&](store::Connection& c) {
      return store::CreateWebSession(c, user_id_, std::chrono::hours(1));
    });
    EXPECT_TRUE(session.ok());
    return {"rm_session=" + session->id, session->csrf_token};
  }

  // A registered client (DCR) with one redirect URI; its client_id.
  std::string Register(const std::string& redirect_uri, const std::string& name = "Claude") {
    Request request;
    request.method = "POST";
    request.content_type = "application/json";
    request.body = R"({"client_name":")" + name + R"(","redirect_uris":[")" + redirect_uri + R"("]})";
    Response response = app_->Register(request);
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(boost::json::parse(response.body).at("client_id").as_string());
  }

  std::size_t CountRows(const std::string& table) {
    std::size_t count = 0;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
      store::Statement& statement = c.Prepare("SELECT count(*) FROM " + table);
      Result<bool> row = statement.Step();
      if (!row.ok()) return row.status();
      count = static_cast<std::size_t>(statement.Int64(0));
      return Status::Ok();
    }).ok());
    return count;
  }

 private:
  rm::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::string user_id_;
  std::shared_ptr<tools::MemoryService> memories_;
  std::unique_ptr<WebApp> app_;
  std::vector<Route> routes_;
};

inline Request Get(const std::string& path, const std::string& query = "", const std::string& cookie = "") {
  Request request;
  request.method = "GET";
  request.path = path;
  request.query = query;
  request.cookie = cookie;
  request.peer_address = "203.0.113.7";
  return request;
}

inline Request PostForm(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields,
                        const std::string& cookie = "") {
  Request request;
  request.method = "POST";
  request.path = path;
  request.content_type = "application/x-www-form-urlencoded";
  request.body = EncodeForm(fields);
  request.cookie = cookie;
  request.peer_address = "203.0.113.7";
  return request;
}

inline std::string HeaderOf(const Response& response, const std::string& name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return "";
}

// The decoded query of a redirect's Location.
inline Form LocationQuery(const Response& response) {
  const std::string location = HeaderOf(response, "Location");
  const auto q = location.find('?');
  return ParseForm(q == std::string::npos ? "" : location.substr(q + 1)).value_or(Form{});
}

}  // namespace rm::web::testing
