// The word as typed ranks above its other forms (store/search_repository.h): which
// candidates hold a search word in the form it was typed ("running", where the index
// holds the stem "run"). Internal to the search.
#pragma once

#include <string_view>
#include <vector>

#include "store/search_query.h"
#include "store/search_walks.h"
#include "util/status.h"

namespace rm::store::search {

// Up to this many candidates are read to find which hold a search word in the form it was
// typed; a search with more ranks them by stems alone. The count is the window's, the
// same on every page, so every page scores alike.
inline constexpr std::size_t kExactFormsChecked = 200;

// Sets each candidate's exact_share: of the phrases whose typed form differs from its
// stems, the share its title, content or tags hold as typed. One statement.
Status MarkExactForms(SearchWalker& walker, const SearchTerms& terms, std::vector<Candidate>& candidates);

// Whether `text` holds `word` (folded ASCII, words separated by single spaces) as whole
// words, ASCII case ignored: the tokenizer's verdict for ASCII, without running it.
bool HoldsAsciiWords(std::string_view text, std::string_view word);

}  // namespace rm::store::search
