// Markdown → HTML for a memory's content on the dashboard, safe by construction: the text is
// escaped first and only then are a handful of Markdown forms turned into tags, so nothing in a
// memory (written by any AI tool) can become markup, script or a javascript: link.
//
// Handled: # headings, paragraphs, blank-line separation, - / * / 1. lists, ``` code blocks,
// `code`, **bold**, *italic*, [text](http(s) URL), > quotes. Anything else stays text.
#pragma once

#include <string>
#include <string_view>

namespace rm::web {

std::string RenderMarkdown(std::string_view text);

// A search snippet ("… **match** …") as HTML: escaped, matches in <mark>.
std::string RenderSnippet(std::string_view snippet);

}  // namespace rm::web
