#include "mcp/schema_validator.h"

namespace mcp {

std::optional<std::string> ValidateAgainstSchema(const boost::json::value& /*value*/,
                                                 const boost::json::object& /*schema*/) {
  return std::nullopt;  // implemented in the next commit
}

}  // namespace mcp
