// Shared by the memory pages: reading the memory service's JSON answers and turning its
// errors into pages. (The service answers with the tools' JSON; the pages read the fields.)
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "util/status.h"
#include "web/dashboard_page.h"
#include "web/exchange.h"
#include "web/web_context.h"

namespace rm::web {

// A string field of a JSON object, or "" (absent, null or not a string).
std::string Text(const boost::json::object& o, std::string_view key);
// An array-of-strings field, or empty.
std::vector<std::string> Strings(const boost::json::object& o, std::string_view key);

// One memory as a list row: title (a link to its page), tags, who may see it, snippet.
std::string MemoryRowHtml(const boost::json::object& memory, std::string_view snippet_html = {});

// "claude, cursor" or "all AI tools" for an allowed_vendors list.
std::string VendorsText(const std::vector<std::string>& allowed);

// The page for a failed service call: 404 for not found (hidden memories included: another
// person's id is "not found", never "forbidden"), 400 with the message for invalid input,
// 403 for a memory the viewer sees but may not change, 503 otherwise.
Response ServiceErrorPage(const Viewer& viewer, const Status& status);

// The vendors a person is offered on "Who can see this": those of their keys and OAuth
// connections, those already allowed on the memory, and the common ones.
std::vector<std::string> VendorsOfViewer(const WebContext& ctx, const Viewer& viewer,
                                         const std::vector<std::string>& already_allowed);

// "a, b ,c" → {"a","b","c"} (empty parts dropped).
std::vector<std::string> SplitTags(std::string_view text);

}  // namespace rm::web
