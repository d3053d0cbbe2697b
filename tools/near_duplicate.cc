#include "tools/near_duplicate.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace rm::tools {
namespace {

// Lower-case words: runs of ASCII letters and digits, and of any non-ASCII bytes
// (so words of other scripts stay whole); everything else separates.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80 || c == '\'') {
      word += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::set<std::string> Shingles(const std::vector<std::string>& words) {
  std::set<std::string> shingles(words.begin(), words.end());
  for (std::size_t i = 0; i + 1 < words.size(); ++i) shingles.insert(words[i] + ' ' + words[i + 1]);
  return shingles;
}

bool IsNumber(const std::string& word) {
  return std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsNegation(const std::string& word) {
  static const std::set<std::string> kNegations = {"not", "no", "never", "none", "nor", "cannot", "without"};
  return kNegations.count(word) > 0 || (word.size() > 3 && word.ends_with("n't"));
}

// The words that change what a sentence states, with how often they occur.
std::multiset<std::string> FactWords(const std::vector<std::string>& words) {
  std::multiset<std::string> facts;
  for (const auto& w : words) {
    if (IsNumber(w) || IsNegation(w)) facts.insert(w);
  }
  return facts;
}

double Jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t shared = 0;
  for (const auto& s : a) shared += b.count(s);
  return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

}  // namespace

double ShingleSimilarity(std::string_view a, std::string_view b) {
  return Jaccard(Shingles(Words(a)), Shingles(Words(b)));
}

bool NearDuplicate(std::string_view title_a, std::string_view content_a, std::string_view title_b,
                   std::string_view content_b) {
  const std::vector<std::string> words_a = Words(std::string(title_a) + "\n" + std::string(content_a));
  const std::vector<std::string> words_b = Words(std::string(title_b) + "\n" + std::string(content_b));
  if (FactWords(words_a) != FactWords(words_b)) return false;
  return ShingleSimilarity(title_a, title_b) >= kTitleSimilarity &&
         ShingleSimilarity(content_a, content_b) >= kContentSimilarity;
}

}  // namespace rm::tools
