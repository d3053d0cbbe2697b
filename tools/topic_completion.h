// Completion of the `recall` prompt's `topic` argument (completion/complete): what
// the caller might be typing, taken from what they may see — their most used tags,
// then words of their titles. Vendor-filtered like every read: a memory the
// caller's vendor may not see never contributes a suggestion.
#pragma once

#include <string_view>

#include "mcp/completion.h"
#include "tools/memory_service.h"

namespace rm::tools {

// Tags, then title words, that start with `typed` (ASCII case-insensitive), each
// once, most used first; at most 100 (the spec's limit), with has_more when
// there were more. Empty if the read fails (suggestions are best effort).
mcp::Completion CompleteTopic(MemoryService& service, const Caller& caller, std::string_view typed);

}  // namespace rm::tools
