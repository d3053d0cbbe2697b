// memory_versions: the append-only history of a memory (SPEC §3 "Versions").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "util/status.h"

namespace rm::store {

struct VersionRow {
  std::int64_t version_number = 0;
  std::string title;
  std::string content;
  std::string tags_json;
  std::string memory_type;
  std::string origin;
  std::string allowed_vendors_json;
  std::string created_at;  // when this state was replaced
};

// Appends the CURRENT state of memory `memory_id` as version (previous max + 1),
// before the caller changes it. Returns the new version number.
Result<std::int64_t> AppendVersionSnapshot(Connection& conn, std::string_view memory_id,
                                           std::string_view version_id, std::string_view now);

// Inserts one version as given (import). AlreadyExists if that number exists.
Status InsertVersion(Connection& conn, std::string_view version_id, std::string_view memory_id,
                     std::string_view user_id, const VersionRow& version);

// All versions of a memory, oldest (1) first: for its owner's export.
Result<std::vector<VersionRow>> ListVersions(Connection& conn, std::string_view memory_id);

// A memory's history as `viewer` may see it (the caller checked the memory itself
// is visible). Each version is filtered by its OWN allowed_vendors, what the
// memory allowed then: a memory once kept from a vendor and later opened to "*"
// must not show that vendor its earlier content. Likewise a pool member who is
// not the author sees only states that lived while the memory was shared (a
// version replaced after shared_at): a memory shared after being drafted
// privately does not show the pool its drafts. Hidden versions leave gaps in
// the numbers; `latest_number` counts them all, so the current state is always
// latest_number + 1. Whoever shows the history to a viewer who misses some
// (`some_hidden()`) renumbers it over what they see, or the gaps would count them.
struct VisibleHistory {
  std::vector<VersionRow> versions;
  std::int64_t latest_number = 0;
  std::int64_t stored_count = 0;  // versions stored, hidden ones included
  bool some_hidden() const { return static_cast<std::int64_t>(versions.size()) < stored_count; }
};
Result<VisibleHistory> ListVisibleVersions(Connection& conn, const Viewer& viewer, std::string_view memory_id);

}  // namespace rm::store
