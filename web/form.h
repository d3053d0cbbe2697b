// Form bodies and query strings (application/x-www-form-urlencoded) and the URLs the OAuth
// flow builds — parsed and encoded by Boost.URL, never by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rm::web {

// Decoded name → value. A name given twice is ambiguous (RFC 6749 §3.1: parameters must not
// repeat): it is listed in `repeated` and the first value is kept. Malformed input: nullopt.
struct Form {
  std::map<std::string, std::string> values;
  std::vector<std::string> repeated;

  // The value of `name`, or "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const { return values.count(std::string(name)) != 0; }
};
std::optional<Form> ParseForm(std::string_view encoded);

// "a=1&b=x%20y" from pairs, in order.
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& pairs);

// `base` (an absolute URL, perhaps with a query of its own) with `pairs` appended to its query.
std::string WithQuery(std::string_view base, const std::vector<std::pair<std::string, std::string>>& pairs);

// The parts of an absolute URL the OAuth rules look at; nullopt if it is not one.
struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // lower case, IPv6 without brackets
  std::string port;    // "" when absent
  bool has_fragment = false;
  bool has_userinfo = false;
};
std::optional<UrlParts> ParseAbsoluteUrl(std::string_view url);

// 127.0.0.0/8, ::1 or "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace rm::web
