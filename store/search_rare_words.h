// The rare words of a search's window (store/search_repository.h), the same rule on both
// engines: when a search has more than K matches, every match of a word rare among the
// caller's memories is ranked too, however old — so an old memory holding a question's
// rare words (a name, a place) competes with the many new ones holding its common words.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "store/search_query.h"
#include "util/status.h"

namespace rm::store {

// A search word that at most this many of the caller's memories hold is rare: K/4, and
// at most 64 — each such match costs the ranking a row beyond the newest K, and words
// that tell one memory from the rest are held by few.
std::int64_t RareRows(std::int64_t k);

// How many of the caller's visible memories hold phrase `index`, counting no further
// than `at_most` (an engine's walk or query).
using CountPhraseMatches = std::function<Result<std::int64_t>(int index, std::int64_t at_most)>;

// The rare phrases of `terms` (ascending indexes): those at most RareRows(k) memories
// hold, rarest first while they add up to at most K matches. A search of one group
// (every word required) has none: each of its words is in all of its K+ matches.
Result<std::vector<int>> ChooseRarePhrases(const SearchTerms& terms, std::int64_t k, const CountPhraseMatches& count);

}  // namespace rm::store
