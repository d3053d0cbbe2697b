#include "tools/topic_completion.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/memory_lists.h"
#include "tools/memory_input.h"

namespace rm::tools {
namespace {

constexpr std::size_t kMaxSuggestions = 100;  // completion/complete's limit
// Suggestions come from the caller's newest memories: enough to cover what they
// work on now, few enough to answer while they type.
constexpr int kSample = 1000;
// Title words shorter than this are mostly "a", "of", "to": no help as a topic.
constexpr std::size_t kMinWordBytes = 3;

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }  // UTF-8 letters too

bool StartsWithFolded(std::string_view word, std::string_view folded_prefix) {
  return word.size() >= folded_prefix.size() && AsciiLower(word.substr(0, folded_prefix.size())) == folded_prefix;
}

struct WordCount {
  std::string spelling;  // as first seen
  int count = 0;
};

// The words of `titles` that start with `folded_prefix`, most frequent first
// (then alphabetically), each once whatever its case.
std::vector<std::string> TitleWords(const std::vector<std::string>& titles, std::string_view folded_prefix) {
  std::map<std::string, WordCount> by_folded;
  for (const std::string& title : titles) {
    std::size_t i = 0;
    while (i < title.size()) {
      while (i < title.size() && !IsWordByte(title[i])) ++i;
      const std::size_t start = i;
      while (i < title.size() && IsWordByte(title[i])) ++i;
      const std::string_view word(title.data() + start, i - start);
      if (word.size() < kMinWordBytes || !StartsWithFolded(word, folded_prefix)) continue;
      WordCount& entry = by_folded[AsciiLower(word)];
      if (entry.count++ == 0) entry.spelling = std::string(word);
    }
  }
  std::vector<std::pair<std::string, WordCount>> ranked(by_folded.begin(), by_folded.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  std::vector<std::string> words;
  for (auto& [folded, entry] : ranked) words.push_back(std::move(entry.spelling));
  return words;
}

}  // namespace

mcp::Completion CompleteTopic(MemoryService& service, const Caller& caller, std::string_view typed) {
  std::vector<store::TagCount> tags;
  std::vector<std::string> titles;
  Status read = service.ReadAs(caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
    Result<std::vector<store::TagCount>> found =
        store::TopVisibleTags(conn, viewer, kSample, kMaxSuggestions + 1, typed);
    if (!found.ok()) return found.status();
    tags = std::move(*found);
    Result<std::vector<std::string>> matching = store::VisibleTitlesContaining(conn, viewer, typed, kSample);
    if (!matching.ok()) return matching.status();
    titles = std::move(*matching);
    return Status::Ok();
  });
  mcp::Completion completion;
  if (!read.ok()) return completion;

  std::set<std::string> seen;  // folded, so "Billing" does not follow the tag "billing"
  const auto add = [&](std::string value) {
    if (!seen.insert(AsciiLower(value)).second) return;
    if (completion.values.size() == kMaxSuggestions) {
      completion.has_more = true;
      return;
    }
    completion.values.push_back(std::move(value));
  };
  for (store::TagCount& tag : tags) add(std::move(tag.tag));
  for (std::string& word : TitleWords(titles, AsciiLower(typed))) add(std::move(word));
  return completion;
}

}  // namespace rm::tools
