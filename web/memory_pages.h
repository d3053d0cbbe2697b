// The dashboard's memory pages (SPEC §9, issue 16 item 2): the list (newest first, paged),
// search with the same ranking and snippets as search_memories, filters, a memory's page
// (content, tags, thread, versions with a diff), and every change a person makes — edit, who
// can see it, share, delete, restore, empty the trash — through the same memory service as MCP
// (one transaction, a version, usage with origin "dashboard", the same validation).
//
//   GET  /                              list, search (?q=), filters (?tag= &type= &scope= &vendor= &trash=1)
//   POST /memories                      write a new memory
//   GET  /memories/ID                   its page (?diff=N: version N against the one after it)
//   POST /memories/ID/edit|visibility|share|unshare|delete|restore
//   POST /trash/empty                   delete the trash for good
#pragma once

#include <vector>

#include "web/exchange.h"
#include "web/web_context.h"

namespace rm::web {

std::vector<Route> MemoryRoutes(const WebContext& ctx);

}  // namespace rm::web
