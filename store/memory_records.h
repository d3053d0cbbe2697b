// MemoryRow: one row of `memories` as the store reads and writes it.
//
// tags and allowed_vendors stay JSON text here (store/ has no JSON library);
// tools/ parses and writes them, always as canonical arrays of strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/statement.h"

namespace rm::store {

struct MemoryRow {
  std::int64_t rowid = 0;  // SQLite's rowid: search and list cursors use it; never shown
  std::string id;          // UUIDv4
  std::string user_id;     // the author
  std::string title;
  std::string content;
  std::string tags_json = "[]";
  std::string origin;  // the vendor that wrote it ("api" for an owner key)
  std::string allowed_vendors_json = "[\"*\"]";
  std::string memory_type = "semantic";
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> deleted_at;
  std::optional<std::string> shared_with_org_id;
  std::optional<std::string> shared_with_team_id;
  std::optional<std::string> shared_at;
  std::optional<std::string> parent_memory_id;
  // While trashed: the id of the memory whose delete put it there, itself or its
  // parent (migration 6). A restore brings back only what its delete trashed.
  std::optional<std::string> trashed_by_memory_id;
};

// The columns of a memory aliased `m`, in the order MemoryFromRow reads them.
#define RM_MEMORY_COLUMNS                                                                   \
  "m.rowid, m.id, m.user_id, m.title, m.content, m.tags, m.origin, m.allowed_vendors, "     \
  "m.memory_type, m.created_at, m.updated_at, m.deleted_at, m.shared_with_org_id, "         \
  "m.shared_with_team_id, m.shared_at, m.parent_memory_id, m.trashed_by_memory_id"
inline constexpr int kMemoryColumnCount = 17;

// Reads RM_MEMORY_COLUMNS starting at result column `first`.
MemoryRow MemoryFromRow(const Statement& row, int first = 0);

}  // namespace rm::store
