// A synthetic corpus of memories for the store benchmark: realistic sizes
// (titles of 4-10 words, content of 20-160 words, 0-5 tags), words drawn from a
// Zipf-distributed vocabulary of pronounceable pseudo-words, many users with one
// heavy user owning half the memories. Deterministic for a seed: the first n
// memories of a corpus are the same whatever its total size.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "store/memory_records.h"

namespace rm::bench {

struct CorpusOptions {
  std::uint64_t seed = 42;
  int vocabulary = 50000;      // distinct content words (Zipf s = 1)
  int tag_vocabulary = 500;    // distinct tags (Zipf s = 1)
  int users = 1000;            // user 0 is the heavy user
  double heavy_share = 0.5;    // the heavy user's share of all memories
};

struct GeneratedMemory {
  int user = 0;  // index into the users
  std::string title;
  std::string content;
  std::vector<std::string> tags;
  std::vector<std::string> allowed_vendors;  // 85% ["*"], else vendor lists or []
  std::string memory_type;
};

// `memory` as the row a bulk insert stores (store::InsertMemory): a new id, origin "api",
// created and last updated at `created_at`.
store::MemoryRow ToMemoryRow(GeneratedMemory memory, const std::string& user_id, const std::string& created_at);

class CorpusGenerator {
 public:
  explicit CorpusGenerator(CorpusOptions options = {});

  GeneratedMemory Next();

  // The pseudo-word of vocabulary rank `rank` (0 = most frequent).
  static std::string Word(int rank);
  // How many memories generated so far contain the word of each rank (title, content or tags).
  const std::vector<std::int64_t>& document_frequency() const { return document_frequency_; }
  std::int64_t generated() const { return generated_; }
  const CorpusOptions& options() const { return options_; }

 private:
  int ZipfRank(const std::vector<double>& cumulative);
  std::string Words(int count, std::vector<int>& ranks);

  CorpusOptions options_;
  std::mt19937_64 rng_;
  std::vector<double> word_cumulative_;
  std::vector<double> tag_cumulative_;
  std::vector<std::int64_t> document_frequency_;
  std::vector<std::int64_t> last_seen_in_;  // per rank: the last memory counted, so a word counts once per memory
  std::int64_t generated_ = 0;
};

}  // namespace rm::bench
