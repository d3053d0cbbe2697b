// Memories as MCP resources (SPEC §5): the template memory://{id}; resources/list
// pages through the memories the caller may see, newest first; resources/read
// returns one as JSON. Vendor-filtered like every read; a hidden memory is not
// found. Resource reads are not tool calls, so they are not metered.
#pragma once

#include <memory>

#include "mcp/resource.h"
#include "tools/memory_service.h"

namespace rm::tools {

class MemoryResources : public mcp::ResourceProvider {
 public:
  explicit MemoryResources(std::shared_ptr<MemoryService> service) : service_(std::move(service)) {}

  rm::Result<mcp::ResourcePage> List(const std::optional<std::string>& cursor, mcp::CallContext& ctx) override;
  rm::Result<std::vector<mcp::ResourceContents>> Read(const std::string& uri, mcp::CallContext& ctx) override;
  std::vector<mcp::ResourceTemplate> Templates() const override;
  mcp::Completion Complete(const std::string& uri_template, const std::string& argument,
                           const std::string& value, const std::map<std::string, std::string>& context,
                           mcp::CallContext& ctx) override;

  // Live changes: memory://{id} for one memory, or the template "memory://{id}" itself
  // for every memory the caller can read (docs/PROTOCOL.md, "Live changes").
  bool SupportsListening() const override { return true; }
  bool Subscribable(const std::string& uri) const override;
  bool Covers(const std::string& subscribed, const std::string& uri) const override;
  rm::Result<mcp::ListenHandle> Listen(std::shared_ptr<mcp::ResourceListener> listener,
                                       mcp::CallContext& ctx) override;

 private:
  std::shared_ptr<MemoryService> service_;
};

}  // namespace rm::tools
