#include "web/markdown.h"

#include <vector>

#include "web/html.h"

namespace rm::web {
namespace {

// Replaces each `open`…`close` pair of markers in already-escaped text with the tags.
std::string Pairs(const std::string& text, std::string_view marker, std::string_view tag) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto start = text.find(marker, at);
    if (start == std::string::npos) break;
    const auto end = text.find(marker, start + marker.size());
    if (end == std::string::npos || end == start + marker.size()) break;
    out += text.substr(at, start - at);
    out += "<" + std::string(tag) + ">" + text.substr(start + marker.size(), end - start - marker.size()) + "</" +
           std::string(tag) + ">";
    at = end + marker.size();
  }
  return out + text.substr(at);
}

// [text](url) with an http(s) URL; the URL was escaped with the rest, so it cannot close the
// attribute, and the scheme check keeps javascript: and data: out.
std::string Links(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto open = text.find('[', at);
    if (open == std::string::npos) break;
    const auto close = text.find("](", open);
    const auto end = close == std::string::npos ? std::string::npos : text.find(')', close + 2);
    if (end == std::string::npos) break;
    const std::string label = text.substr(open + 1, close - open - 1);
    const std::string url = text.substr(close + 2, end - close - 2);
    out += text.substr(at, open - at);
    if ((url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) && label.find('[') == std::string::npos) {
      out += "<a href=\"" + url + "\" rel=\"noopener noreferrer nofollow\">" + label + "</a>";
    } else {
      out += text.substr(open, end - open + 1);
    }
    at = end + 1;
  }
  return out + text.substr(at);
}

// Inline forms of one escaped line: `code` first (its inside stays literal), then the rest.
std::string Inline(std::string_view raw) {
  const std::string escaped = Escape(raw);
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto start = escaped.find('`', at);
    const auto end = start == std::string::npos ? std::string::npos : escaped.find('`', start + 1);
    const std::string plain = escaped.substr(at, (end == std::string::npos ? escaped.size() : start) - at);
    out += Pairs(Pairs(Links(plain), "**", "strong"), "*", "em");
    if (end == std::string::npos) break;
    out += "<code>" + escaped.substr(start + 1, end - start - 1) + "</code>";
    at = end + 1;
  }
  return out;
}

bool StartsWith(std::string_view line, std::string_view prefix) { return line.substr(0, prefix.size()) == prefix; }

// "1. item" → the item's text; "" if the line is no ordered-list item.
std::string_view OrderedItem(std::string_view line) {
  std::size_t digits = 0;
  while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits == 0 || digits + 1 >= line.size() || line[digits] != '.' || line[digits + 1] != ' ') return {};
  return line.substr(digits + 2);
}

}  // namespace

std::string RenderMarkdown(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= text.size();) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    at = end + 1;
  }
  std::string html;
  std::string paragraph;
  std::string list;  // "ul" or "ol" while one is open
  auto close_paragraph = [&] {
    if (!paragraph.empty()) html += "<p>" + paragraph + "</p>";
    paragraph.clear();
  };
  auto close_list = [&] {
    if (!list.empty()) html += "</" + list + ">";
    list.clear();
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (StartsWith(line, "```")) {
      close_paragraph();
      close_list();
      std::string code;
      for (++i; i < lines.size() && !StartsWith(lines[i], "```"); ++i) code += Escape(lines[i]) + "\n";
      html += "<pre><code>" + code + "</code></pre>";
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      close_paragraph();
      close_list();
      continue;
    }
    int level = 0;
    while (level < 6 && level < static_cast<int>(line.size()) && line[level] == '#') ++level;
    if (level > 0 && level < static_cast<int>(line.size()) && line[level] == ' ') {
      close_paragraph();
      close_list();
      const std::string tag = "h" + std::to_string(level + 1);  // the page's own title is h1
      html += "<" + tag + ">" + Inline(line.substr(level + 1)) + "</" + tag + ">";
      continue;
    }
    const bool bullet = StartsWith(line, "- ") || StartsWith(line, "* ");
    const std::string_view ordered = OrderedItem(line);
    if (bullet || !ordered.empty()) {
      close_paragraph();
      const std::string kind = bullet ? "ul" : "ol";
      if (list != kind) {
        close_list();
        html += "<" + kind + ">";
        list = kind;
      }
      html += "<li>" + Inline(bullet ? line.substr(2) : ordered) + "</li>";
      continue;
    }
    if (StartsWith(line, "> ")) {
      close_paragraph();
      close_list();
      html += "<blockquote>" + Inline(line.substr(2)) + "</blockquote>";
      continue;
    }
    close_list();
    paragraph += (paragraph.empty() ? "" : "<br>") + Inline(line);
  }
  close_paragraph();
  close_list();
  return html;
}

std::string RenderSnippet(std::string_view snippet) { return Pairs(Escape(snippet), "**", "mark"); }

}  // namespace rm::web
