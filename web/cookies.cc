#include "web/cookies.h"

#include <openssl/crypto.h>

namespace rm::web {

std::string CookieValue(std::string_view header, std::string_view name) {
  // "a=1; rm_session=abc; b=2" (RFC 6265 §4.2.1).
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return {};
}

std::string SetCookie(std::string_view name, std::string_view value, std::chrono::seconds max_age, bool secure) {
  std::string cookie = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                       std::to_string(max_age.count());
  if (secure) cookie += "; Secure";
  return cookie;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rm::web
