#include "store/search_exact_forms.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "store/search_tokenizer.h"

namespace rm::store::search {
namespace {

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

}  // namespace

// (A search checks up to kExactFormsChecked rows, and tokenizing each doubled a small
// user's search.)
bool HoldsAsciiWords(std::string_view text, std::string_view word) {
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at) {
    std::size_t i = 0, t = at;
    while (i < word.size() && t < text.size()) {
      const unsigned char want = static_cast<unsigned char>(word[i]);
      const unsigned char got = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(text[t])));
      if (want == ' ') {  // between the words of a phrase: any run of non-word bytes
        if (IsWordByte(got)) break;
        while (t < text.size() && !IsWordByte(static_cast<unsigned char>(text[t]))) ++t;
        ++i;
        continue;
      }
      if (want != got) break;
      ++i;
      ++t;
    }
    if (i < word.size()) continue;
    const bool starts = at == 0 || !IsWordByte(static_cast<unsigned char>(text[at - 1]));
    const bool ends = t == text.size() || !IsWordByte(static_cast<unsigned char>(text[t]));
    if (starts && ends) return true;
  }
  return false;
}

// Sets each candidate's exact_share: of the phrases whose typed form differs from its
// stems ("running" / "run"), the share its title, content or tags hold as typed.

Status MarkExactForms(SearchWalker& walker, const SearchTerms& terms, std::vector<Candidate>& candidates) {
  std::vector<std::string> exact;
  for (const SearchPhrase& w : terms.words) {
    if (!w.exact.empty()) exact.push_back(w.exact);
  }
  if (exact.empty() || candidates.size() > kExactFormsChecked) return Status::Ok();
  Result<std::vector<std::pair<std::size_t, std::string>>> texts = walker.TextsOf(candidates);
  if (!texts.ok()) return texts.status();
  for (const auto& [index, text] : *texts) {
    std::optional<std::string> folded;  // tokenized only when a word is not ASCII
    int held = 0;
    for (const std::string& e : exact) {
      if (IsAscii(e) && IsAscii(text)) {
        held += HoldsAsciiWords(text, e) ? 1 : 0;
        continue;
      }
      if (!folded) {
        Result<std::string> words = FoldedWords(text);
        if (!words.ok()) return words.status();
        folded = " " + *words + " ";
      }
      held += folded->find(" " + e + " ") != std::string::npos ? 1 : 0;
    }
    candidates[index].features.exact_share = static_cast<double>(held) / static_cast<double>(exact.size());
  }
  return Status::Ok();
}

}  // namespace rm::store::search
