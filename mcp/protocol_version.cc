#include "mcp/protocol_version.h"

#include <algorithm>

namespace mcp {

const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> versions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                    "2024-11-05"};
  return versions;
}

bool IsSupportedProtocolVersion(std::string_view version) {
  const auto& all = SupportedProtocolVersions();
  return std::find(all.begin(), all.end(), version) != all.end();
}

std::string NegotiateProtocolVersion(std::string_view requested) {
  if (IsSupportedProtocolVersion(requested)) return std::string(requested);
  return std::string(kLatestProtocolVersion);
}

RevisionFeatures FeaturesOf(std::string_view version) {
  // Revision names are ISO dates, so "at least revision X" is a string comparison.
  const auto since = [version](std::string_view revision) { return version >= revision; };
  RevisionFeatures f;
  f.json_rpc_batches = version == "2025-03-26";
  f.tool_annotations = since("2025-03-26");
  f.completions = since("2025-03-26");
  f.progress_message = since("2025-03-26");
  f.titles = since("2025-06-18");
  f.structured_content = since("2025-06-18");
  f.completion_context = since("2025-06-18");
  return f;
}

}  // namespace mcp
