#include "bench/corpus_generator.h"

#include <algorithm>

#include "tools/memory_json.h"
#include "util/crypto.h"

namespace rm::bench {
namespace {

std::vector<double> ZipfCumulative(int n) {
  std::vector<double> cumulative(static_cast<std::size_t>(n));
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += 1.0 / (i + 1);
    cumulative[static_cast<std::size_t>(i)] = sum;
  }
  for (double& c : cumulative) c /= sum;
  return cumulative;
}

constexpr const char* kSyllables[] = {"ka", "lo", "mi", "ra", "te", "su", "an", "or", "el", "in",
                                      "ve", "do", "pa", "ri", "ne", "to", "bu", "sa", "ge", "hu",
                                      "fi", "mo", "ze", "ty", "qua", "pre", "lin", "dor", "mar", "sel"};
constexpr int kSyllableCount = sizeof(kSyllables) / sizeof(kSyllables[0]);

}  // namespace

std::string CorpusGenerator::Word(int rank) {
  // Rank → a unique word of 2 to 4 syllables (30^2 + 30^3 covers 27,900 ranks with
  // 2-3 syllables; the rest get 4), frequent words shorter, as in real text.
  std::string word;
  int n = rank;
  int syllables = n < 900 ? 2 : n < 27900 ? 3 : 4;
  if (syllables == 3) n -= 900;
  if (syllables == 4) n -= 27900;
  for (int i = 0; i < syllables; ++i) {
    word += kSyllables[n % kSyllableCount];
    n /= kSyllableCount;
  }
  return word;
}

CorpusGenerator::CorpusGenerator(CorpusOptions options)
    : options_(options),
      rng_(options.seed),
      word_cumulative_(ZipfCumulative(options.vocabulary)),
      tag_cumulative_(ZipfCumulative(options.tag_vocabulary)),
      document_frequency_(static_cast<std::size_t>(options.vocabulary), 0),
      last_seen_in_(static_cast<std::size_t>(options.vocabulary), -1) {}

int CorpusGenerator::ZipfRank(const std::vector<double>& cumulative) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
  return static_cast<int>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
}

std::string CorpusGenerator::Words(int count, std::vector<int>& ranks) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    const int rank = std::min(ZipfRank(word_cumulative_), options_.vocabulary - 1);
    ranks.push_back(rank);
    if (i > 0) text += ' ';
    text += Word(rank);
  }
  return text;
}

GeneratedMemory CorpusGenerator::Next() {
  GeneratedMemory m;
  const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  m.user = r < options_.heavy_share
               ? 0
               : 1 + std::uniform_int_distribution<int>(0, std::max(options_.users - 2, 0))(rng_);
  std::vector<int> ranks;
  m.title = Words(std::uniform_int_distribution<int>(4, 10)(rng_), ranks);
  m.title[0] = static_cast<char>(m.title[0] - 'a' + 'A');
  m.content = Words(std::uniform_int_distribution<int>(20, 160)(rng_), ranks) + ".";
  const int tags = std::uniform_int_distribution<int>(0, 5)(rng_);
  for (int i = 0; i < tags; ++i) {
    std::string tag = "tag-" + Word(ZipfRank(tag_cumulative_));
    if (std::find(m.tags.begin(), m.tags.end(), tag) == m.tags.end()) m.tags.push_back(tag);
  }
  const int v = std::uniform_int_distribution<int>(0, 99)(rng_);
  m.allowed_vendors = v < 85 ? std::vector<std::string>{"*"}
                      : v < 93 ? std::vector<std::string>{"claude"}
                      : v < 98 ? std::vector<std::string>{"cursor", "chatgpt"}
                               : std::vector<std::string>{};
  static constexpr const char* kTypes[] = {"semantic", "semantic", "episodic", "procedural"};
  m.memory_type = kTypes[std::uniform_int_distribution<int>(0, 3)(rng_)];
  for (int rank : ranks) {
    if (last_seen_in_[static_cast<std::size_t>(rank)] != generated_) {
      last_seen_in_[static_cast<std::size_t>(rank)] = generated_;
      ++document_frequency_[static_cast<std::size_t>(rank)];
    }
  }
  ++generated_;
  return m;
}

store::MemoryRow ToMemoryRow(GeneratedMemory memory, const std::string& user_id, const std::string& created_at) {
  store::MemoryRow row;
  row.id = NewUuid();
  row.user_id = user_id;
  row.title = std::move(memory.title);
  row.content = std::move(memory.content);
  row.tags_json = tools::ToJsonText(memory.tags);
  row.origin = "api";
  row.allowed_vendors_json = tools::ToJsonText(memory.allowed_vendors);
  row.memory_type = std::move(memory.memory_type);
  row.created_at = created_at;
  row.updated_at = created_at;
  return row;
}

}  // namespace rm::bench
