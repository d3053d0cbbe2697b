// The tools, resources and prompts the official MCP conformance suite expects of the
// server under test (test_simple_text, test://static-text, test_simple_prompt, ...).
// Test-only: never linked into the product.
#pragma once

#include <memory>

#include "mcp/server_definition.h"

namespace conformance {

std::unique_ptr<mcp::ServerDefinition> MakeConformanceServer();

}  // namespace conformance
