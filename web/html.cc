#include "web/html.h"

namespace rm::web {
namespace {

// The pages run no script: the policy allows none, and refuses framing (clickjacking of the
// consent button) and form posts to other sites.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}"
    "input[type=email],input[type=password],input[type=text],select{width:100%;padding:.4rem;box-sizing:border-box}"
    "button{margin-top:1rem;padding:.5rem 1.2rem}.warn{color:#8a4b00}.error{color:#a00}"
    ".muted{color:#666;font-size:.9rem}code{background:#f4f4f4;padding:0 .2rem}";

}  // namespace

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Response Page(int status, std::string_view title, std::string_view body_html) {
  Response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                  "<meta name=\"referrer\" content=\"same-origin\"><title>" +
                  Escape(title) + " · Reflect Memory</title><style>" + std::string(kStyle) +
                  "</style></head><body>" + std::string(body_html) + "</body></html>";
  response.headers = {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                      {"X-Frame-Options", "DENY"},
                      {"X-Content-Type-Options", "nosniff"},
                      // Not no-referrer: under it Chromium sends `Origin: null` with form posts,
                      // which the server's Origin check must refuse. same-origin sends the real
                      // Origin to this server and nothing to other sites.
                      {"Referrer-Policy", "same-origin"},
                      {"Cache-Control", "no-store"}};
  return response;
}

void AllowFormTarget(Response& page, std::string_view origin) {
  for (auto& [name, value] : page.headers) {
    if (name != "Content-Security-Policy") continue;
    const std::string self = "form-action 'self'";
    if (const auto at = value.find(self); at != std::string::npos) value.insert(at + self.size(), " " + std::string(origin));
  }
}

Response Redirect(std::string_view location, int status) {
  Response response;
  response.status = status;
  response.headers = {{"Location", std::string(location)}, {"Cache-Control", "no-store"}};
  return response;
}

}  // namespace rm::web
