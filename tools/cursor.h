// Opaque page cursors. A cursor is hex-encoded JSON that says which kind of list
// it continues and where; clients must treat it as an opaque string. A cursor
// that does not decode, or belongs to another kind of list, is a validation
// error naming `cursor`. A tampered cursor can only move within what the caller
// may see anyway: every page is filtered again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/memory_lists.h"
#include "store/search_query.h"
#include "store/search_repository.h"
#include "util/status.h"

namespace rm::tools {

std::string EncodeListCursor(const store::ListPosition& position);
Result<store::ListPosition> DecodeListCursor(std::string_view cursor);

// Everything page 2.. of a search needs to score rows exactly as page 1 did.
struct SearchCursor {
  store::MatchMode mode = store::MatchMode::kAll;
  store::SearchWindow window;
  store::SearchAfter after;
};
std::string EncodeSearchCursor(const SearchCursor& cursor);
Result<SearchCursor> DecodeSearchCursor(std::string_view cursor);

}  // namespace rm::tools
