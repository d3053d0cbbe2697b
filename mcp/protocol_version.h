// MCP protocol revisions this server speaks, and what each one allows.
//
// Revisions are dates ("2025-11-25"); they compare as strings. Everything that
// differs between revisions is asked of RevisionFeatures, so the rest of the
// core never compares version strings itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mcp {

// The revision we prefer and answer when a client asks for one we do not know.
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";

// Every revision we speak, newest first.
const std::vector<std::string>& SupportedProtocolVersions();

bool IsSupportedProtocolVersion(std::string_view version);

// The revision to answer in `initialize`: the requested one when we speak it,
// otherwise the latest (the client then decides whether it can go on).
std::string NegotiateProtocolVersion(std::string_view requested);

// What a revision allows; built from the revision's publication date.
struct RevisionFeatures {
  bool json_rpc_batches = false;    // 2025-03-26 only (added then, removed in 2025-06-18)
  bool tool_annotations = false;    // Tool.annotations, since 2025-03-26
  bool completions = false;         // completion/complete capability, since 2025-03-26
  bool progress_message = false;    // notifications/progress "message", since 2025-03-26
  bool titles = false;              // "title" on tools, prompts, resources, serverInfo, since 2025-06-18
  bool structured_content = false;  // Tool.outputSchema and CallToolResult.structuredContent, since 2025-06-18
  bool completion_context = false;  // completion/complete "context.arguments", since 2025-06-18
};

RevisionFeatures FeaturesOf(std::string_view version);

}  // namespace mcp
