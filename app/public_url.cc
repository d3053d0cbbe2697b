#include "app/public_url.h"

#include <cstdlib>

namespace rm::app {

Result<std::string> CliPublicUrl(std::string url) {
  const bool from_flag = !url.empty();
  if (url.empty()) {
    const char* env = std::getenv("REFLECT_PUBLIC_URL");
    url = env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8765";
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::string where = from_flag ? "--public-url" : "$REFLECT_PUBLIC_URL";
  const bool http = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  const bool has_host = http && url.size() > url.find("://") + 3;
  if (!has_host || url.find_first_of(" \t\r\n?#") != std::string::npos) {
    return Status::InvalidArgument(where + ": '" + url +
                                   "' is not the server's base URL (e.g. https://memory.example.com)");
  }
  return url;
}

}  // namespace rm::app
