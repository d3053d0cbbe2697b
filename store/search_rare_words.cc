#include "store/search_rare_words.h"

#include <algorithm>
#include <utility>

namespace rm::store {

std::int64_t RareRows(std::int64_t k) { return std::clamp<std::int64_t>(k / 4, 1, 64); }

Result<std::vector<int>> ChooseRarePhrases(const SearchTerms& terms, std::int64_t k, const CountPhraseMatches& count) {
  std::vector<int> rare;
  if (terms.groups.size() < 2) return rare;
  std::vector<std::pair<std::int64_t, int>> counted;  // (matches, phrase)
  for (std::size_t p = 0; p < terms.phrases.size(); ++p) {
    Result<std::int64_t> n = count(static_cast<int>(p), RareRows(k) + 1);
    if (!n.ok()) return n.status();
    if (*n <= RareRows(k)) counted.emplace_back(*n, static_cast<int>(p));
  }
  std::sort(counted.begin(), counted.end());
  std::int64_t total = 0;
  for (const auto& [n, p] : counted) {
    if (total + n > k) break;
    total += n;
    rare.push_back(p);
  }
  std::sort(rare.begin(), rare.end());
  return rare;
}

}  // namespace rm::store
