// The search index's tokenizer (FTS5 porter over unicode61 remove_diacritics 2, as
// migration 12 declares memories_fts), callable from C++ without a statement.
//
// Search needs the index's own view of text in two places: the tokens of what the
// user typed (search_query.cc) and where the matched words sit in a hit's text
// (search_snippet.cc). Calling SQLite's tokenizer directly, rather than a
// look-alike, means "café" in a memory is found and bolded by "cafe", and "supported"
// by "supports", exactly as the index matches them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::store {

// The tokens of a text, in order.
struct TextTokens {
  struct Token {
    int start = 0;  // the token's bytes in the text: [start, end)
    int end = 0;
    int folded_start = 0;  // its folded form (lower case, no diacritics) in `folded`
    int folded_size = 0;
  };
  std::vector<Token> tokens;
  std::string folded;  // every token's folded form, back to back

  std::string_view Folded(std::size_t i) const {
    return std::string_view(folded).substr(static_cast<std::size_t>(tokens[i].folded_start),
                                           static_cast<std::size_t>(tokens[i].folded_size));
  }
};

// Tokenizes `text` as the index does its documents; replaces `out`'s contents.
// Internal if SQLite's tokenizer cannot be loaded or fails.
Status TokenizeLikeIndex(std::string_view text, TextTokens& out);

// The folded tokens of `text` joined by single spaces ("" when it has none): a
// search word as the index would hold it (stemmed: "supported" -> "support").
Result<std::string> FoldedTokens(std::string_view text);

// The same without stemming ("Supported" -> "supported"): the word itself, for
// telling stop words and exact forms apart.
Result<std::string> FoldedWords(std::string_view text);

}  // namespace rm::store
