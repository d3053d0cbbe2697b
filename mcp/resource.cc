#include "mcp/resource.h"

namespace mcp {

Completion ResourceProvider::Complete(const std::string& /*uri_template*/,
                                      const std::string& /*argument*/, const std::string& /*value*/,
                                      const std::map<std::string, std::string>& /*context*/,
                                      CallContext& /*ctx*/) {
  return {};
}

}  // namespace mcp
