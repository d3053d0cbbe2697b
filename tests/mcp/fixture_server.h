// A small, test-only MCP server definition: tools, resources and prompts that
// exercise every path of the protocol core (validation, cancellation, progress,
// logging, failures). Shared by tests/mcp and tests/stdio; never part of the product.
#pragma once

#include <atomic>
#include <memory>

#include "mcp/server_definition.h"

namespace fixture {

// What the fixture's tools report back, so tests can see work that a client cannot.
struct Observations {
  std::atomic<int> slow_started{0};
  std::atomic<int> slow_stopped_by_cancel{0};
};

// Tools: echo (strict schema), slow (runs until cancelled or `ms` elapse), progress,
// log (one message per level), throws, custom_content, whoami, and `filler` tools
// filler_0.. to make lists long. Resources test://a..c (pages of 2), template
// test://{name}; prompt greet(name required, style optional, style completes).
std::unique_ptr<mcp::ServerDefinition> MakeServer(std::shared_ptr<Observations> observations,
                                                  int filler_tools = 0);

}  // namespace fixture
