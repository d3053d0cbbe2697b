#include "tools/memory_resources.h"

#include <boost/json/serialize.hpp>

#include "store/memory_lists.h"
#include "store/memory_repository.h"
#include "tools/cursor.h"
#include "tools/memory_json.h"
#include "tools/tool_support.h"

namespace rm::tools {
namespace {

constexpr std::string_view kScheme = "memory://";
constexpr int kPageSize = 50;
constexpr const char* kMimeType = "application/json";
// The template, as a subscription: every memory the listener can read.
constexpr std::string_view kAllMemories = "memory://{id}";

}  // namespace

rm::Result<mcp::ResourcePage> MemoryResources::List(const std::optional<std::string>& cursor,
                                                    mcp::CallContext& ctx) {
  Result<Caller> caller = CallerOf(ctx);
  if (!caller.ok()) return caller.status();
  Result<const CursorCodec*> cursors = service_->Cursors();
  if (!cursors.ok()) return cursors.status();
  store::ListQuery query;
  query.limit = kPageSize + 1;
  mcp::ResourcePage page;
  Status status = service_->ReadAs(*caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
    if (cursor) {
      Result<store::ListPosition> after = (*cursors)->DecodeList(*cursor, viewer);
      if (!after.ok()) return after.status();
      query.after = *after;
    }
    Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(conn, viewer, query);
    if (!rows.ok()) return rows.status();
    if (rows->size() > static_cast<std::size_t>(kPageSize)) {
      rows->resize(kPageSize);
      page.next_cursor = (*cursors)->EncodeList({rows->back().created_at, rows->back().rowid}, viewer);
    }
    for (const store::MemoryRow& m : *rows) {
      page.resources.push_back({std::string(kScheme) + m.id, m.title, m.title,
                                "A " + m.memory_type + " memory (" + ScopeOf(m) + ")", kMimeType});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return page;
}

rm::Result<std::vector<mcp::ResourceContents>> MemoryResources::Read(const std::string& uri,
                                                                     mcp::CallContext& ctx) {
  if (uri.rfind(kScheme, 0) != 0 || uri.size() == kScheme.size()) {
    return Status::NotFound("no resource " + uri.substr(0, 200) + "; memories are memory://{id}");
  }
  Result<Caller> caller = CallerOf(ctx);
  if (!caller.ok()) return caller.status();
  const std::string id = uri.substr(kScheme.size());
  std::vector<mcp::ResourceContents> contents;
  Status status = service_->ReadAs(*caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
    Result<std::optional<store::MemoryRow>> memory = store::FindVisibleMemory(conn, viewer, id);
    if (!memory.ok()) return memory.status();
    if (!*memory) return Status::NotFound("memory '" + id.substr(0, 80) + "' not found");
    contents.push_back({uri, kMimeType, boost::json::serialize(MemoryJson(**memory))});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return contents;
}

std::vector<mcp::ResourceTemplate> MemoryResources::Templates() const {
  return {{"memory://{id}", "memory", "Memory", "One memory by id, as JSON.", kMimeType}};
}

mcp::Completion MemoryResources::Complete(const std::string& uri_template, const std::string& argument,
                                          const std::string& value,
                                          const std::map<std::string, std::string>&, mcp::CallContext& ctx) {
  mcp::Completion completion;
  Result<Caller> caller = CallerOf(ctx);
  if (uri_template != "memory://{id}" || argument != "id" || !caller.ok()) return completion;
  // Ids of the newest visible memories that start with what was typed.
  store::ListQuery query;
  query.limit = 200;
  service_->ReadAs(*caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
    Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(conn, viewer, query);
    if (!rows.ok()) return rows.status();
    for (const store::MemoryRow& m : *rows) {
      if (m.id.rfind(value, 0) == 0) completion.values.push_back(m.id);
    }
    return Status::Ok();
  });
  return completion;
}

bool MemoryResources::Subscribable(const std::string& uri) const {
  return uri.rfind(kScheme, 0) == 0 && uri.size() > kScheme.size() && uri.size() <= kScheme.size() + 128;
}

bool MemoryResources::Covers(const std::string& subscribed, const std::string& uri) const {
  return subscribed == uri || subscribed == kAllMemories;
}

rm::Result<mcp::ListenHandle> MemoryResources::Listen(std::shared_ptr<mcp::ResourceListener> listener,
                                                      mcp::CallContext& ctx) {
  Result<Caller> caller = CallerOf(ctx);
  if (!caller.ok()) return caller.status();
  const auto* principal = std::any_cast<Principal>(&ctx.principal());
  ListenerIdentity who;
  who.user_id = caller->user_id;
  who.vendor = caller->vendor;
  who.key = principal && !principal->key_id.empty() ? "key:" + principal->key_id
                                                    : "user:" + caller->user_id + "/" + caller->vendor.value_or("*");
  if (principal && !principal->key_id.empty()) who.key_id = principal->key_id;
  return service_->live()->Listen(std::move(who), std::move(listener));
}

}  // namespace rm::tools
