// The full-text index's half of "who may see what": an FTS5 MATCH expression over
// the visibility tokens of migration 5 (pools, trash, vendor, type, tags) that keeps
// only rows the viewer may see with the given filters. It makes index walks fast;
// it never replaces the SQL predicate (store/memory_visibility.h), which every
// statement using it still applies to each row.
#pragma once

#include <optional>
#include <string>

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "store/search_repository.h"
#include "util/status.h"

namespace rm::store {

// The expression, or nullopt when nothing can match (the scope names a pool the
// viewer is not in, or the tag filter is "[]").
Result<std::optional<std::string>> VisibilityMatch(Connection& conn, const Viewer& viewer,
                                                   const SearchFilters& filters);

}  // namespace rm::store
