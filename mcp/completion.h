// Completion/complete answers: suggested values for a prompt or template argument.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mcp {

struct Completion {
  std::vector<std::string> values;  // the Session sends at most 100 (the spec's limit)
  std::optional<int> total;         // how many matches exist, when known
  bool has_more = false;            // more exist than `values` holds
};

}  // namespace mcp
