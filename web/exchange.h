// The web pages' view of one HTTP exchange. web/ does not know the transport: app/ adapts
// these to the HTTP server's route table (transports::HttpRoute), so the pages and the OAuth
// endpoints read as plain functions from a request to a response, testable without sockets.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rm::web {

struct Request {
  std::string method;  // "GET", "POST"
  std::string path;    // without the query
  std::string query;   // undecoded, without '?'
  std::string origin;
  std::string cookie;  // the Cookie header
  std::string authorization;
  std::string content_type;
  std::string body;
  std::string peer_address;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Route {
  std::string path;  // exact, or a prefix when `prefix` ("/memories/" serves /memories/ID)
  // OAuth endpoints other sites' pages call (metadata, token, registration, revocation):
  // any Origin, no cookies. Pages (sign-in, consent) answer this server's own origins only.
  bool any_origin = false;
  std::function<Response(const Request&)> handle;
  bool prefix = false;
};

}  // namespace rm::web
