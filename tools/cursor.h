// Page cursors. A cursor is sealed (util/sealed_box.h): the client can neither
// read what it carries nor change it, and it opens only for the caller it was
// given to (same user, vendor, org and team) and, for a search, the same search.
// A cursor that does not open, or belongs to another kind of list, is a
// validation error naming `cursor`. Every page is filtered again as well.
//
// Why sealed and bound: a search cursor carries the statistics its first page
// ranked with; they are the caller's own (store/search_repository.h), but only a
// sealed cursor guarantees that what a caller holds reveals nothing, and only a
// bound one that another caller cannot rank with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/memory_lists.h"
#include "store/memory_visibility.h"
#include "store/search_query.h"
#include "store/search_repository.h"
#include "util/sealed_box.h"
#include "util/status.h"

namespace rm::tools {

// Where the next page of a hybrid search starts (tools/hybrid_ranking.h): an offset
// into the fused list, which every page rebuilds exactly as the first did — the
// full-text list from the first page's window, the vector list from the memories up
// to the first page's newest rowid.
struct HybridPosition {
  std::int64_t offset = 0;
  std::int64_t newest_rowid = 0;
};

// Everything page 2.. of a search needs to score rows exactly as page 1 did.
struct SearchCursor {
  store::MatchMode mode = store::MatchMode::kAll;
  store::SearchWindow window;
  store::SearchAfter after;
  std::optional<HybridPosition> hybrid = std::nullopt;  // a hybrid search's (then `after` is unused)
};

class CursorCodec {
 public:
  explicit CursorCodec(SealedBox box) : box_(std::move(box)) {}

  // Lists (browse, by tag, pools, resources/list): a cursor of one list works in
  // another list of the same caller (each page is filtered again anyway).
  std::string EncodeList(const store::ListPosition& position, const store::Viewer& viewer) const;
  Result<store::ListPosition> DecodeList(std::string_view cursor, const store::Viewer& viewer) const;

  // Searches: `search` says which search (see SearchFingerprint); a cursor opens
  // only for the same one.
  std::string EncodeSearch(const SearchCursor& cursor, const store::Viewer& viewer,
                           std::string_view search) const;
  Result<SearchCursor> DecodeSearch(std::string_view cursor, const store::Viewer& viewer,
                                    std::string_view search) const;

 private:
  SealedBox box_;
};

}  // namespace rm::tools
