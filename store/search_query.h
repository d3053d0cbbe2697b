// Turning what a person or a model typed into an FTS5 query that cannot fail.
//
// Any text is a valid query. It is split into search words; each word becomes a
// quoted FTS5 phrase of the tokens FTS5 itself makes of it (search_tokenizer.h), so
// quotes, AND/NOT/NEAR, parentheses, colons, carets, stars and minus signs are
// only ever text. What the user can ask for:
//   word word        both words (any order), e.g.  postgres migration
//   "a phrase"       those words next to each other, in order
//   word*            a prefix: migrat* matches migrate, migration, ...
//   "a phr"*         a phrase whose last word is a prefix
//   a OR b           either side; OR (upper case) separates groups of words
// A word without letters or digits (e.g. "-", "::", "—") is dropped. Nothing
// else is an operator: "NOT", "AND", "-x" and "title:x" are searched as text.
// Words match by stem (the index is porter-stemmed: "groups" matches "group");
// bare stop and question words are not required when the group has other words;
// "name's" is searched as "name".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::store {

enum class MatchMode {
  kAll,  // every word of a group must match (groups separated by OR)
  kAny,  // any word may match (used when kAll finds nothing)
};

// At most this many search words per query (each costs a doclist walk): the
// first 32 are searched and any after them ignored, so a pasted paragraph is
// still a query rather than an error.
inline constexpr int kMaxSearchPhrases = 32;

// One search word as the index holds it: its tokens (folded and stemmed), the last a prefix
// when the user typed word* or "a phrase"*.
struct SearchPhrase {
  std::vector<std::string> tokens;
  bool prefix = false;
  // The word as typed, folded but not stemmed ("running"), when that differs from its
  // stems ("run"): a memory holding this exact form ranks above one holding another form.
  std::string exact;
};

struct SearchTerms {
  // The FTS5 expression over the text columns, e.g.
  //   {title content tags} : (("postgres" AND "migrat"*) OR ("schema"))
  // Empty when the text held no search word.
  std::string expression;
  // The phrases of `expression` in order, each alone as a column-filtered query
  // ({title content tags} : "postgres"), for counting the rows that hold it.
  std::vector<std::string> phrases;
  // The same phrases as tokens, for finding them in a hit's text (snippets).
  std::vector<SearchPhrase> words;
  // How the phrases combine: a row matches if it holds every phrase of at least
  // one group (indexes into `phrases`). Bounds the number of matches.
  std::vector<std::vector<int>> groups;
};

// Fails only if SQLite's tokenizer does; any text gives terms (maybe none).
Result<SearchTerms> BuildSearchTerms(std::string_view text, MatchMode mode);

}  // namespace rm::store
