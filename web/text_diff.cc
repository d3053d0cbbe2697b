#include "web/text_diff.h"

#include <vector>

#include "web/html.h"

namespace rm::web {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace

std::string LineDiffHtml(std::string_view before, std::string_view after) {
  std::vector<std::string_view> a = Lines(before);
  std::vector<std::string_view> b = Lines(after);
  constexpr std::size_t kMaxLines = 2000;
  if (a.size() > kMaxLines || b.size() > kMaxLines) {
    a = {before};
    b = {after};
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<std::uint32_t>> lcs(a.size() + 1, std::vector<std::uint32_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string html = "<pre class=\"diff\">";
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      html += "  " + Escape(a[i]) + "\n";
      ++i, ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      html += "<ins class=\"ins\">+ " + Escape(b[j]) + "</ins>\n";
      ++j;
    } else {
      html += "<del class=\"del\">- " + Escape(a[i]) + "</del>\n";
      ++i;
    }
  }
  return html + "</pre>";
}

}  // namespace rm::web
