// The one call the app makes to turn an mcp::ServerDefinition into Reflect
// Memory: every tool of SPEC §5, memories as resources (memory://{id}), the
// `recall` prompt, and the initialize instructions (a vendor-filtered briefing).
//
//   mcp::ServerDefinition server;
//   rm::tools::RegisterMemoryServer(server, *db, {.public_base_url = ...});
//
// Handlers expect CallContext::principal() to hold a tools::Principal
// (tools/principal.h); `db` must outlive `server`.
#pragma once

#include <memory>

#include "mcp/server_definition.h"
#include "store/database.h"
#include "tools/memory_service.h"

namespace rm::tools {

// Returns the service the handlers share (the CLI and tests may call it directly).
std::shared_ptr<MemoryService> RegisterMemoryServer(mcp::ServerDefinition& server, store::Store& db,
                                                    ServiceOptions options = {});

}  // namespace rm::tools
