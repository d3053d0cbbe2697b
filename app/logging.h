// Logging for every command: spdlog to stderr, never stdout — over stdio, stdout
// carries only MCP messages, and one stray line breaks the client.
#pragma once

#include <string_view>

#include "util/status.h"

namespace rm::app {

// Replaces spdlog's default logger (which writes to stdout) with one on stderr.
// `level` is trace|debug|info|warn|error; `json` writes one JSON object per line
// ({"time","level","msg"}) for log collectors. InvalidArgument for an unknown level.
Status ConfigureLogging(std::string_view level, bool json);

}  // namespace rm::app
