#include "mcp/resource.h"

namespace mcp {

Completion ResourceProvider::Complete(const std::string& /*uri_template*/,
                                      const std::string& /*argument*/, const std::string& /*value*/,
                                      const std::map<std::string, std::string>& /*context*/,
                                      CallContext& /*ctx*/) {
  return {};
}

}  // namespace mcp

namespace mcp {

bool ResourceProvider::Subscribable(const std::string& /*uri*/) const { return false; }

rm::Result<ListenHandle> ResourceProvider::Listen(std::shared_ptr<ResourceListener> /*listener*/,
                                                  CallContext& /*ctx*/) {
  return rm::Status::FailedPrecondition("this server offers no live changes");
}

}  // namespace mcp
