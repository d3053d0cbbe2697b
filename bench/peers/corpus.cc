#include "bench/peers/corpus.h"

#include <algorithm>
#include <istream>
#include <iterator>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include <boost/json.hpp>

namespace peers {
namespace json = boost::json;
namespace {

// Words a person's memories are about, most common first. The tail of the vocabulary
// is made-up words (below), so that, as in real notes, most words are rare.
constexpr const char* kTopicWords[] = {
    "project", "meeting", "plan", "review", "team", "release", "customer", "budget", "design",
    "deploy", "database", "migration", "postgres", "api", "endpoint", "latency", "cache", "schema",
    "index", "backup", "incident", "outage", "alert", "dashboard", "metric", "roadmap", "sprint",
    "ticket", "bug", "regression", "test", "coverage", "refactor", "docker", "kubernetes", "cluster",
    "terraform", "billing", "pricing", "invoice", "contract", "vendor", "partner", "investor", "pitch",
    "quarterly", "goal", "hiring", "interview", "feedback", "survey", "prototype", "demo", "slides",
    "conference", "talk", "newsletter", "podcast", "book", "novel", "movie", "concert", "travel",
    "flight", "hotel", "berlin", "paris", "tokyo", "lisbon", "recipe", "garden", "dentist", "doctor",
    "birthday", "gift", "wedding", "anniversary", "running", "marathon", "guitar", "piano", "python",
    "rust", "typescript", "react", "compiler", "cmake", "linker", "profile", "benchmark", "tracing",
    "logging", "grafana", "redis", "kafka", "queue", "security", "password", "oauth", "token",
    "mortgage", "insurance", "tax", "school", "homework", "vacation", "camping", "bike", "repair",
    "plumber", "apartment", "kitchen", "paint", "coffee", "vegan", "allergy", "peanut", "sister",
    "brother", "mother", "father", "friend", "standup", "retro", "backlog", "style", "lint",
    "preference", "keyboard", "shortcut", "editor", "vim", "terminal", "shell", "script", "notebook",
    "laptop", "monitor", "printer", "router", "wifi", "calendar", "deadline", "offsite", "workshop",
    "onboarding", "mentor", "promotion", "salary", "equity", "lawyer", "accountant", "receipt",
};

// Glue between topic words, so content reads as sentences (and FTS5 indexes them too).
constexpr const char* kFunctionWords[] = {
    "the", "a", "to", "of", "and", "in", "for", "on", "with", "about", "after", "before", "we",
    "it", "is", "was", "should", "need", "next", "from", "by", "at", "our", "my", "this", "that",
    "will", "must", "not", "but", "or", "so", "then", "also", "still", "more", "less", "week",
};

constexpr std::size_t kVocabularySize = 4000;  // topic words, real then made up
constexpr double kFunctionWordShare = 0.35;    // of the words in content

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // mt19937_64's output is fixed by the standard; the std distributions are not, so
  // draws are made here from raw output to keep a corpus the same everywhere.
  std::size_t Below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  std::size_t Between(std::size_t low, std::size_t high) { return low + Below(high - low + 1); }

 private:
  std::mt19937_64 engine_;
};

// Pronounceable made-up words (consonant-vowel syllables), none equal to a real word.
std::vector<std::string> MakeVocabulary(Random& random) {
  std::vector<std::string> words(std::begin(kTopicWords), std::end(kTopicWords));
  std::unordered_set<std::string> seen(words.begin(), words.end());
  constexpr std::string_view kConsonants = "bdfgklmnprstvz";
  constexpr std::string_view kVowels = "aeiou";
  while (words.size() < kVocabularySize) {
    std::string word;
    const std::size_t syllables = random.Between(2, 4);
    for (std::size_t i = 0; i < syllables; ++i) {
      word += kConsonants[random.Below(kConsonants.size())];
      word += kVowels[random.Below(kVowels.size())];
    }
    if (random.Below(3) == 0) word += kConsonants[random.Below(kConsonants.size())];
    if (seen.insert(word).second) words.push_back(std::move(word));
  }
  return words;
}

// Word frequencies in text follow Zipf's law: the word of rank r has weight 1/r.
class ZipfPicker {
 public:
  explicit ZipfPicker(std::size_t n) : cumulative_(n) {
    double sum = 0;
    for (std::size_t r = 0; r < n; ++r) cumulative_[r] = sum += 1.0 / static_cast<double>(r + 1);
    for (double& c : cumulative_) c /= sum;
  }
  std::size_t Pick(Random& random) const {
    const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), random.Unit());
    return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

// "qx" + 4 letters: the i-th memory's unique word (up to 26^4 memories).
std::string TokenOf(std::size_t i) {
  std::string token = "qx????";
  for (int pos = 5; pos >= 2; --pos, i /= 26) token[pos] = static_cast<char>('a' + i % 26);
  return token;
}

std::string Capitalized(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

Corpus MakeCorpus(std::size_t memories, std::size_t searches, std::uint64_t seed) {
  if (memories == 0 || memories > 26 * 26 * 26 * 26) throw std::runtime_error("memories must be 1..456976");
  Random random(seed);
  const std::vector<std::string> vocabulary = MakeVocabulary(random);
  const ZipfPicker zipf(vocabulary.size());
  constexpr std::size_t kFunctionWordCount = std::size(kFunctionWords);

  Corpus corpus;
  corpus.seed = seed;
  std::vector<std::string> distinct;  // topic words used, in order of first use
  std::unordered_set<std::string> used;
  const auto topic_word = [&]() -> const std::string& {
    const std::string& w = vocabulary[zipf.Pick(random)];
    if (used.insert(w).second) distinct.push_back(w);
    return w;
  };

  for (std::size_t i = 0; i < memories; ++i) {
    Memory m;
    m.token = TokenOf(i);
    const std::size_t title_words = random.Between(2, 4);
    for (std::size_t w = 0; w < title_words; ++w) {
      if (w > 0) m.title += ' ';
      m.title += w == 0 ? Capitalized(topic_word()) : topic_word();
    }
    m.title += " (";
    m.title += m.token;
    m.title += ')';

    const std::size_t sentences = random.Between(1, 2);
    for (std::size_t s = 0; s < sentences; ++s) {
      const std::size_t words = random.Between(6, 14);
      std::string sentence;
      for (std::size_t w = 0; w < words; ++w) {
        if (w > 0) sentence += ' ';
        sentence += random.Unit() < kFunctionWordShare ? kFunctionWords[random.Below(kFunctionWordCount)]
                                                       : topic_word();
      }
      if (s > 0) m.content += ' ';
      m.content += Capitalized(sentence);
      m.content += '.';
    }
    corpus.memories.push_back(std::move(m));
  }

  for (std::size_t s = 0; s < searches; ++s) corpus.terms.push_back(distinct[random.Below(distinct.size())]);

  const std::size_t checks = std::min<std::size_t>(20, memories);
  for (std::size_t c = 0; c < checks; ++c) corpus.checks.push_back(checks == 1 ? 0 : c * (memories - 1) / (checks - 1));
  return corpus;
}

void WriteCorpus(const Corpus& corpus, std::ostream& out) {
  json::array checks(corpus.checks.begin(), corpus.checks.end());
  out << json::serialize(json::object{{"seed", corpus.seed},
                                      {"memories", corpus.memories.size()},
                                      {"searches", corpus.terms.size()},
                                      {"checks", checks}})
      << '\n';
  for (const Memory& m : corpus.memories) {
    out << json::serialize(json::object{{"title", m.title}, {"content", m.content}, {"token", m.token}}) << '\n';
  }
  for (const std::string& term : corpus.terms) out << json::serialize(json::object{{"term", term}}) << '\n';
}

Corpus ReadCorpus(std::istream& in) {
  std::string line;
  const auto next_object = [&]() -> json::object {
    if (!std::getline(in, line)) throw std::runtime_error("the corpus file ends early");
    return json::parse(line).as_object();
  };
  Corpus corpus;
  const json::object header = next_object();
  corpus.seed = header.at("seed").to_number<std::uint64_t>();
  const auto memories = header.at("memories").to_number<std::size_t>();
  const auto searches = header.at("searches").to_number<std::size_t>();
  for (const json::value& c : header.at("checks").as_array()) corpus.checks.push_back(c.to_number<std::size_t>());
  for (std::size_t i = 0; i < memories; ++i) {
    const json::object m = next_object();
    corpus.memories.push_back({json::value_to<std::string>(m.at("title")), json::value_to<std::string>(m.at("content")),
                               json::value_to<std::string>(m.at("token"))});
  }
  for (std::size_t s = 0; s < searches; ++s) corpus.terms.push_back(json::value_to<std::string>(next_object().at("term")));
  return corpus;
}

}  // namespace peers
