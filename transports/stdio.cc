#include "transports/stdio.h"

namespace transports {

int RunStdio(const mcp::ServerDefinition&, std::any, StdioOptions) {
  return 1;  // implemented in a following commit
}

}  // namespace transports
