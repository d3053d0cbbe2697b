#include "store/search_query.h"

#include "store/search_tokenizer.h"

#include <algorithm>

namespace rm::store {
namespace {

constexpr std::string_view kTextColumns = "{title content tags} : ";

struct Word {
  std::string text;   // as typed, without quotes and the trailing '*'
  bool prefix = false;
  bool quoted = false;
  bool or_operator = false;  // the bare word OR between two groups
};

// Words that carry no topic: English function words and the question words models ask with
// ("When did Caroline go to the support group?"). Requiring them to match, or letting them
// score, ranks a memory that happens to say "did" above the one about Caroline.
bool IsStopWord(std::string_view folded) {
  static constexpr std::string_view kStopWords[] = {
      "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before",
      "being", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "during", "for", "from", "had",
      "has", "have", "having", "he", "her", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
      "me", "my", "of", "on", "or", "our", "ours", "she", "should", "so", "some", "than", "that", "the", "their",
      "theirs", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "what",
      "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your",
      "yours"};
  for (std::string_view stop : kStopWords) {
    if (stop == folded) return true;
  }
  return false;
}

// "Caroline's" is searched as "Caroline": the tokenizer would make it the phrase
// "caroline s", which a memory that says "Caroline" (or "Caroline’s") does not hold.
void StripPossessive(std::string& word) {
  for (std::string_view suffix : {std::string_view("'s"), std::string_view("\u2019s")}) {
    if (word.size() > suffix.size() && std::string_view(word).substr(word.size() - suffix.size()) == suffix) {
      word.resize(word.size() - suffix.size());
      return;
    }
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Splits on whitespace; "..." keeps spaces inside; a trailing '*' marks a prefix.
std::vector<Word> SplitWords(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    Word word;
    if (text[i] == '"') {
      std::size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) close = text.size();
      word.text = std::string(text.substr(i + 1, close - i - 1));
      word.quoted = true;
      i = close + 1;
      if (i < text.size() && text[i] == '*') {
        word.prefix = true;
        ++i;
      }
    } else {
      std::size_t end = i;
      while (end < text.size() && !IsSpace(text[end]) && text[end] != '"') ++end;
      word.text = std::string(text.substr(i, end - i));
      i = end;
      if (word.text == "OR") {
        word.or_operator = true;
      } else {
        StripPossessive(word.text);
        while (!word.text.empty() && word.text.back() == '*') {
          word.text.pop_back();
          word.prefix = true;
        }
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

std::vector<std::string> SplitTokens(const std::string& joined) {
  std::vector<std::string> tokens;
  std::size_t start = 0;
  while (start < joined.size()) {
    std::size_t space = joined.find(' ', start);
    if (space == std::string::npos) space = joined.size();
    tokens.push_back(joined.substr(start, space - start));
    start = space + 1;
  }
  return tokens;
}

// "tok tok"* — tokens never hold '"', but double any anyway: FTS5's only escape.
std::string Phrase(const std::string& tokens, bool prefix) {
  std::string out = "\"";
  for (char c : tokens) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  if (prefix) out += '*';
  return out;
}

}  // namespace

Result<SearchTerms> BuildSearchTerms(std::string_view text, MatchMode mode) {
  // Groups of phrases: AND inside a group, OR between groups.
  struct Candidate {
    std::string phrase;
    SearchPhrase words;
    bool stop = false;  // a bare stop word (quoted words and prefixes are always searched)
  };
  std::vector<std::vector<Candidate>> candidates(1);
  int kept = 0;
  for (const Word& word : SplitWords(text)) {
    if (word.or_operator) {
      if (!candidates.back().empty()) candidates.emplace_back();
      continue;
    }
    // The MATCH gets the folded words, not their stems: FTS5 stems a query itself, and
    // stemming is not idempotent ("coffee" -> "coffe" -> "coff"). Snippets compare stems.
    Result<std::string> folded = FoldedWords(word.text);
    if (!folded.ok()) return folded.status();
    if (folded->empty()) continue;  // no letters or digits: nothing to search for
    Result<std::string> stems = FoldedTokens(word.text);
    if (!stems.ok()) return stems.status();
    if (kept == kMaxSearchPhrases) break;  // the rest is ignored
    ++kept;
    // Judged on the word, not its stem ("was" stems to "wa").
    const bool stop = !word.quoted && !word.prefix && IsStopWord(*folded);
    SearchPhrase phrase{SplitTokens(*stems), word.prefix, {}};
    if (!word.prefix && *folded != *stems) phrase.exact = *folded;
    candidates.back().push_back({Phrase(*folded, word.prefix), std::move(phrase), stop});
  }
  // Stop words are left out of a group that has any other word; a group of stop words alone
  // ("the who") is searched as typed.
  std::vector<std::vector<std::string>> groups;
  SearchTerms terms;
  for (auto& group : candidates) {
    const bool has_topic = std::any_of(group.begin(), group.end(), [](const Candidate& c) { return !c.stop; });
    std::vector<std::string> phrases;
    for (Candidate& c : group) {
      if (has_topic && c.stop) continue;
      terms.phrases.push_back(std::string(kTextColumns) + c.phrase);
      terms.words.push_back(std::move(c.words));
      phrases.push_back(std::move(c.phrase));
    }
    if (!phrases.empty()) groups.push_back(std::move(phrases));
  }
  if (groups.empty()) return terms;

  // Each phrase's index in `phrases`, group by group (the same order).
  int next = 0;
  for (const auto& group : groups) {
    if (mode == MatchMode::kAll) {
      terms.groups.emplace_back();
      for (std::size_t p = 0; p < group.size(); ++p) terms.groups.back().push_back(next++);
    } else {
      for (std::size_t p = 0; p < group.size(); ++p) terms.groups.push_back({next++});
    }
  }
  std::string expression;
  const char* inner = mode == MatchMode::kAll ? " AND " : " OR ";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) expression += " OR ";
    expression += '(';
    for (std::size_t p = 0; p < groups[g].size(); ++p) {
      if (p > 0) expression += inner;
      expression += groups[g][p];
    }
    expression += ')';
  }
  terms.expression = std::string(kTextColumns) + "(" + expression + ")";
  return terms;
}

}  // namespace rm::store
