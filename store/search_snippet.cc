#include "store/search_snippet.h"

#include <algorithm>
#include <array>
#include <vector>

#include "store/search_tokenizer.h"

namespace rm::store {
namespace {

constexpr int kWindowTokens = 24;
constexpr std::string_view kOpen = "**";
constexpr std::string_view kClose = "**";
constexpr std::string_view kEllipsis = "…";

// The indexed text columns, in memories_fts order.
constexpr int kTitle = 0, kContent = 1, kTags = 2, kColumns = 3;

// One place a search word occurs: where FTS5's xInst() would report it.
struct Instance {
  int column = 0;
  int position = 0;  // token index of its first token
  int phrase = 0;    // index into SearchTerms::words
};

bool PhraseAt(const TextTokens& text, std::size_t at, const SearchPhrase& phrase) {
  if (phrase.tokens.empty() || at + phrase.tokens.size() > text.tokens.size()) return false;
  for (std::size_t i = 0; i < phrase.tokens.size(); ++i) {
    const std::string_view token = text.Folded(at + i);
    const bool prefix = phrase.prefix && i + 1 == phrase.tokens.size();
    if (prefix ? !token.starts_with(phrase.tokens[i]) : token != phrase.tokens[i]) return false;
  }
  return true;
}

// Adds every occurrence of every search word in one column, ordered as FTS5 orders
// them (position, then phrase), and notes which words are present.
void AddInstances(const TextTokens& text, int column, const SearchTerms& terms,
                  std::vector<Instance>& found, std::vector<char>& present) {
  for (std::size_t at = 0; at < text.tokens.size(); ++at) {
    for (std::size_t p = 0; p < terms.words.size(); ++p) {
      if (!PhraseAt(text, at, terms.words[p])) continue;
      found.push_back({column, static_cast<int>(at), static_cast<int>(p)});
      present[p] = 1;
    }
  }
}

// FTS5 reports the occurrences of a phrase only when its group (search_query.h)
// matched the row, so a word of an OR branch that did not match is not bolded;
// neither is it here.
void KeepReported(const SearchTerms& terms, const std::vector<char>& present, std::vector<Instance>& found) {
  std::vector<char> reported(terms.words.size(), 0);
  for (const std::vector<int>& group : terms.groups) {
    const bool matched = std::all_of(group.begin(), group.end(),
                                     [&](int p) { return present[static_cast<std::size_t>(p)] != 0; });
    if (!matched) continue;
    for (int p : group) reported[static_cast<std::size_t>(p)] = 1;
  }
  std::erase_if(found, [&](const Instance& i) { return !reported[static_cast<std::size_t>(i.phrase)]; });
}

int ChooseColumn(const std::vector<Instance>& instances) {
  int mask = 0;
  for (const Instance& i : instances) mask |= 1 << i.column;
  if (mask == 0 || (mask & (1 << kContent))) return kContent;
  return (mask & (1 << kTitle)) ? kTitle : kTags;
}

// Token positions that begin a sentence: the first token, and any token that
// follows whitespace preceded by '.' or ':'.
std::vector<int> SentenceStarts(std::string_view text, const TextTokens& tokens) {
  std::vector<int> starts;
  for (std::size_t i = 0; i < tokens.tokens.size(); ++i) {
    if (i == 0) {
      starts.push_back(0);
      continue;
    }
    const int token_start = tokens.tokens[i].start;
    int j = token_start - 1;
    while (j >= 0 && (text[static_cast<std::size_t>(j)] == ' ' || text[static_cast<std::size_t>(j)] == '\t' ||
                      text[static_cast<std::size_t>(j)] == '\n' || text[static_cast<std::size_t>(j)] == '\r')) {
      --j;
    }
    if (j != token_start - 1 && j >= 0 &&
        (text[static_cast<std::size_t>(j)] == '.' || text[static_cast<std::size_t>(j)] == ':')) {
      starts.push_back(static_cast<int>(i));
    }
  }
  return starts;
}

// Scoring a window of kWindowTokens tokens starting at `from`, as FTS5 does: 1000
// for each distinct search word in it, 1 for each repeat. `centred` is where a
// window holding the same words would start with them in its middle.
struct WindowScore {
  int score = 0;
  int centred = 0;
};
WindowScore ScoreWindow(const std::vector<Instance>& in_column, const SearchTerms& terms, int from,
                        int column_tokens) {
  std::vector<char> seen(terms.words.size(), 0);
  WindowScore w;
  int first = -1, end = 0;
  for (const Instance& i : in_column) {
    if (i.position < from || i.position >= from + kWindowTokens) continue;
    char& s = seen[static_cast<std::size_t>(i.phrase)];
    w.score += s ? 1 : 1000;
    s = 1;
    if (first < 0) first = i.position;
    end = i.position + static_cast<int>(terms.words[static_cast<std::size_t>(i.phrase)].tokens.size());
  }
  int start = first - (kWindowTokens - (end - first)) / 2;
  if (start + kWindowTokens > column_tokens) start = column_tokens - kWindowTokens;
  w.centred = std::max(start, 0);
  return w;
}

// The first token of the best window: for each occurrence, the window centred on
// the words near it, and (worth a little more) the sentence it is in when that
// starts earlier. The first best wins.
int BestWindowStart(std::string_view text, const TextTokens& tokens,
                    const std::vector<Instance>& in_column, const SearchTerms& terms) {
  const int size = static_cast<int>(tokens.tokens.size());
  const std::vector<int> sentences = SentenceStarts(text, tokens);
  int best_score = 0, best_start = 0;
  for (const Instance& i : in_column) {
    const WindowScore around = ScoreWindow(in_column, terms, i.position, size);
    if (around.score > best_score) {
      best_score = around.score;
      best_start = around.centred;
    }
    if (sentences.empty() || size <= kWindowTokens) continue;
    const int sentence = *(std::upper_bound(sentences.begin(), sentences.end(), i.position) - 1);
    if (sentence >= i.position) continue;
    const int score = ScoreWindow(in_column, terms, sentence, size).score + (sentence == 0 ? 120 : 100);
    if (score > best_score) {
      best_score = score;
      best_start = sentence;
    }
  }
  return best_start;
}

// Overlapping occurrences in the column, merged: each is bolded as one span.
class Spans {
 public:
  Spans(const std::vector<Instance>& in_column, const SearchTerms& terms)
      : in_column_(in_column), terms_(terms) {
    Next();
  }
  int first() const { return first_; }  // -1 once there are no more
  int last() const { return last_; }
  void Next() {
    first_ = last_ = -1;
    for (; next_ < in_column_.size(); ++next_) {
      const Instance& i = in_column_[next_];
      const int last = i.position - 1 + static_cast<int>(terms_.words[static_cast<std::size_t>(i.phrase)].tokens.size());
      if (first_ < 0) {
        first_ = i.position;
        last_ = last;
      } else if (i.position <= last_) {
        last_ = std::max(last_, last);
      } else {
        break;
      }
    }
  }

 private:
  const std::vector<Instance>& in_column_;
  const SearchTerms& terms_;
  std::size_t next_ = 0;
  int first_ = -1;
  int last_ = -1;
};

// The window [start, start + kWindowTokens) of `text`, spans in bold. A span that
// begins before the window is not bolded; one that runs past its end is closed at it.
std::string Highlight(std::string_view text, const TextTokens& tokens,
                      const std::vector<Instance>& in_column, const SearchTerms& terms, int start) {
  const int size = static_cast<int>(tokens.tokens.size());
  const int end = start + kWindowTokens - 1;  // last token shown
  std::string out;
  if (start > 0) out += kEllipsis;
  Spans spans(in_column, terms);
  while (spans.first() >= 0 && spans.first() < start) spans.Next();
  std::size_t copied = 0;  // text before this byte is in `out` (or skipped)
  auto copy_to = [&](int until) {
    out.append(text.substr(copied, static_cast<std::size_t>(until) - copied));
    copied = static_cast<std::size_t>(until);
  };
  for (int pos = start; pos <= end && pos < size; ++pos) {
    const TextTokens::Token& token = tokens.tokens[static_cast<std::size_t>(pos)];
    if (pos == start && start > 0) copied = static_cast<std::size_t>(token.start);
    if (pos == spans.first()) {
      copy_to(token.start);
      out += kOpen;
    }
    if (pos == spans.last()) {
      copy_to(token.end);
      out += kClose;
      spans.Next();
    }
    if (pos == end) {
      copy_to(token.end);
      if (pos >= spans.first() && pos < spans.last()) out += kClose;
    }
  }
  if (end >= size - 1) {
    out.append(text.substr(std::min(copied, text.size())));
  } else {
    out += kEllipsis;
  }
  return out;
}

}  // namespace

Result<std::string> MakeSnippet(const SearchTerms& terms, const SnippetSource& row) {
  const std::array<std::string_view, kColumns> texts = {row.title, row.content, row.tags_json};
  // Kept per thread, so a page of hits reuses the buffers instead of allocating them anew.
  thread_local std::array<TextTokens, kColumns> columns;
  std::vector<Instance> instances;
  std::vector<char> present(terms.words.size(), 0);
  RM_RETURN_IF_ERROR(TokenizeLikeIndex(row.content, columns[kContent]));
  AddInstances(columns[kContent], kContent, terms, instances, present);
  // The usual case, one group of words all in the content, needs neither the title
  // nor the tags: every word is reported, and the content is the snippet's column.
  const bool content_decides =
      terms.groups.size() == 1 && std::all_of(present.begin(), present.end(), [](char p) { return p != 0; });
  if (!content_decides) {
    for (int c : {kTitle, kTags}) {
      RM_RETURN_IF_ERROR(TokenizeLikeIndex(texts[static_cast<std::size_t>(c)], columns[static_cast<std::size_t>(c)]));
      AddInstances(columns[static_cast<std::size_t>(c)], c, terms, instances, present);
    }
  }
  KeepReported(terms, present, instances);
  const int column = ChooseColumn(instances);
  std::vector<Instance> in_column;
  for (const Instance& i : instances) {
    if (i.column == column) in_column.push_back(i);
  }
  const std::string_view text = texts[static_cast<std::size_t>(column)];
  const TextTokens& tokens = columns[static_cast<std::size_t>(column)];
  const int start = BestWindowStart(text, tokens, in_column, terms);
  return Highlight(text, tokens, in_column, terms, start);
}

std::string LeadingText(const std::string& content) {
  constexpr std::size_t kMax = 160;
  if (content.size() <= kMax) return content;
  std::size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(content[end]) & 0xc0) == 0x80) --end;
  return content.substr(0, end) + "…";
}

}  // namespace rm::store
