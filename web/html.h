// Server-rendered pages: escaping, the one layout every page shares, and the headers that
// keep them safe (no script at all, no framing, no external assets).
#pragma once

#include <string>
#include <string_view>

#include "web/exchange.h"

namespace rm::web {

// Text → HTML text or attribute value (& < > " ').
std::string Escape(std::string_view text);

// A complete page: `title` is text (escaped here); `body_html` is markup built with Escape.
Response Page(int status, std::string_view title, std::string_view body_html);

// Lets the page's forms lead to `origin` as well as this server: a form whose answer redirects
// elsewhere (the consent form, to the client) is governed by CSP form-action in Chromium.
void AllowFormTarget(Response& page, std::string_view origin);

// A 302/303 to `location` (which the caller built from trusted parts).
Response Redirect(std::string_view location, int status = 302);

}  // namespace rm::web
