#include "web/form.h"

#include <algorithm>
#include <boost/url.hpp>
#include <cctype>

namespace rm::web {
namespace urls = boost::urls;

std::string Form::Get(std::string_view name) const {
  auto it = values.find(std::string(name));
  return it == values.end() ? std::string() : it->second;
}

std::optional<Form> ParseForm(std::string_view encoded) {
  if (!urls::parse_query(encoded)) return std::nullopt;
  // params_view decodes '+' as a space, as HTML forms encode it.
  const urls::params_view params(encoded);
  Form form;
  for (const urls::param& p : params) {
    if (p.key.empty()) continue;
    if (!form.values.emplace(p.key, p.value).second) form.repeated.push_back(p.key);
  }
  return form;
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& pairs) {
  urls::url url;
  for (const auto& [name, value] : pairs) url.params().append({name, value});
  return std::string(url.encoded_query());
}

std::string WithQuery(std::string_view base, const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto parsed = urls::parse_uri_reference(base);
  if (!parsed) return std::string(base);
  urls::url url(*parsed);
  for (const auto& [name, value] : pairs) url.params().append({name, value});
  return std::string(url.buffer());
}

std::optional<UrlParts> ParseAbsoluteUrl(std::string_view text) {
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    // parse_absolute_uri refuses fragments; a URL with one is still a URL (and then refused by
    // the rules that look at has_fragment).
    auto with_fragment = urls::parse_uri(text);
    if (!with_fragment) return std::nullopt;
    parsed = urls::parse_absolute_uri(text.substr(0, text.find('#')));
    if (!parsed) return std::nullopt;
    UrlParts parts;
    parts.has_fragment = true;
    parts.scheme = std::string(parsed->scheme());
    return parts;
  }
  UrlParts parts;
  parts.scheme = std::string(parsed->scheme());
  std::transform(parts.scheme.begin(), parts.scheme.end(), parts.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  parts.host = parsed->host_type() == urls::host_type::ipv6 ? std::string(parsed->encoded_host_address())
                                                             : std::string(parsed->encoded_host());
  if (parsed->host_type() == urls::host_type::ipv6) {
    parts.host = parts.host.substr(parts.host.find('[') == 0 ? 1 : 0);
    if (!parts.host.empty() && parts.host.back() == ']') parts.host.pop_back();
  }
  std::transform(parts.host.begin(), parts.host.end(), parts.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  parts.port = std::string(parsed->port());
  parts.has_userinfo = parsed->has_userinfo();
  return parts;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  auto v4 = urls::parse_ipv4_address(host);
  return v4 && (v4->to_uint() >> 24) == 127;
}

}  // namespace rm::web
