// The server's public base URL as the CLI prints it in links (signin-link, org invite): the
// flag, else $REFLECT_PUBLIC_URL, else http://127.0.0.1:8765 — one rule, so every link a
// command prints points at the same server.
#pragma once

#include <string>

#include "util/status.h"

namespace rm::app {

// `flag` (empty: not given) resolved as above, without a trailing '/'. InvalidArgument, naming
// where the value came from, unless it is an http(s) URL with a host and no query or fragment.
Result<std::string> CliPublicUrl(std::string flag);

}  // namespace rm::app
