// The snippet shown with a search hit, made in C++ from the row the search already
// read, rather than by FTS5's snippet() (which, for this external-content index,
// re-reads the row through the memories_fts_source view and re-tokenizes it).
//
// It is the text FTS5 gives for
//   snippet(memories_fts, <column>, '**', '**', '…', 24)
// with the search words as the MATCH, where <column> is the content if a search
// word is in it (or in no column), else the title if one is there, else the tags
// (the tags column's text is the tags JSON, as the index holds it):
//  - a window of 24 tokens, chosen as FTS5 does: the one holding the most distinct
//    search words, preferring one that starts a sentence;
//  - every matched word or phrase inside it wrapped in ** **;
//  - "…" before it when the window does not start the text, after it when it
//    does not reach the end.
// Cuts fall only between tokens, so a UTF-8 sequence is never split.
#pragma once

#include <string>
#include <string_view>

#include "store/search_query.h"
#include "util/status.h"

namespace rm::store {

// What a snippet is made from: the hit's indexed columns.
struct SnippetSource {
  std::string_view title;
  std::string_view content;
  std::string_view tags_json;
};

// The snippet of one hit for `terms` (BuildSearchTerms). Internal if the tokenizer fails.
Result<std::string> MakeSnippet(const SearchTerms& terms, const SnippetSource& row);

// The snippet of a hit found without search words: the content's first 160 bytes (cut
// at a character boundary, "…" when cut).
std::string LeadingText(const std::string& content);

}  // namespace rm::store
