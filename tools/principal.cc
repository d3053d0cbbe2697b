#include "tools/principal.h"

namespace rm::tools {

std::string VendorFromClientName(std::string_view client_name) {
  if (client_name == "claude-ai" || client_name == "claude-code") return "claude";
  if (client_name == "cursor-vscode" || client_name == "cursor") return "cursor";
  if (client_name == "Visual Studio Code") return "copilot";
  if (client_name == "openai-mcp" || client_name == "ChatGPT") return "chatgpt";
  return "local";
}

Caller ResolveCaller(const Principal& principal, std::string_view client_name) {
  Caller caller;
  caller.user_id = principal.user_id;
  if (principal.key_vendor) {
    caller.vendor = principal.key_vendor;
  } else if (principal.transport != Principal::Transport::kHttp && principal.configured_vendor) {
    caller.vendor = principal.configured_vendor;
  } else if (principal.transport != Principal::Transport::kHttp && principal.local_owner) {
    caller.vendor = VendorFromClientName(client_name);
  }
  caller.origin = caller.vendor ? *caller.vendor : std::string(kOwnerOrigin);
  return caller;
}

}  // namespace rm::tools
