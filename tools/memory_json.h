// How memories look to clients: the JSON objects the tools return, and the
// conversions between JSON arrays and the JSON text the store keeps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "store/memory_records.h"
#include "store/version_repository.h"

namespace rm::tools {

// ["a","b"] as compact JSON text (the store's canonical form).
std::string ToJsonText(const std::vector<std::string>& strings);
// The strings of a JSON array text; anything else in it is skipped. Never throws.
std::vector<std::string> StringsFromJsonText(std::string_view json);

// "personal", "org" or "team": where a memory lives.
std::string ScopeOf(const store::MemoryRow& memory);

// The full memory: id, title, content, tags, memory_type, origin, allowed_vendors,
// author_id, scope, shared_with_org_id, shared_with_team_id, shared_at,
// parent_memory_id, created_at, updated_at, deleted_at.
boost::json::object MemoryJson(const store::MemoryRow& memory);
// The same without content (browse_memories).
boost::json::object MemorySummaryJson(const store::MemoryRow& memory);
// One entry of get_memory_versions.
boost::json::object VersionJson(const store::VersionRow& version);

// The JSON Schemas of the objects above, for output schemas.
boost::json::object MemorySchema();
boost::json::object MemorySummarySchema();
boost::json::object VersionSchema();

}  // namespace rm::tools
