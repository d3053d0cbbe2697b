// Retrieval on LoCoMo (issue 17): does search_memories return the memory that answers
// a question asked in words?
//
//   locomo_bench [--data FILE] [--dir DIR] [--show-misses N] [--title-words N] [--no-tags]
//
// The data set is read from outside the repository (default
// ../shared/datasets/locomo-dev/locomo-dev.json next to the source tree; CC BY-NC 4.0,
// never copied here); without it the benchmark says so and exits 0.
//
// Per conversation, one user (owner key, plan "admin": no memory limit). Every
// observation fact is written through the memory service the MCP tools use
// (RegisterMemoryServer → MemoryService::WriteMemory, as an AI tool would save it:
// title = its first sentence cut to about 80 characters, content = the fact, tag = the
// speaker). Which dialog ids a memory's fact came from is kept here, not in the memory.
// Every answerable question (categories 1-4) is then asked verbatim through
// MemoryService::SearchMemories (limit 10). A hit@K: a memory whose fact carries one of
// the question's evidence ids is in the top K; MRR over the top 10 (0 if none).
//
// The baseline, in the same run over the same facts per conversation: plain Okapi BM25
// (k1 1.2, b 0.75), text lower-cased and split on non-alphanumerics, no stemming, no
// stop words, same hit rules.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "mcp/server_definition.h"
#include "store/database.h"
#include "store/users.h"
#include "tools/memory_server.h"
#include "tools/memory_service.h"

#ifndef RM_SOURCE_DIR
#define RM_SOURCE_DIR "."
#endif

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "locomo_bench: %s\n", why.c_str());
  std::exit(1);
}

template <typename T>
T Check(rm::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

struct Fact {
  std::string text;
  std::string speaker;
  std::vector<std::string> dialog_ids;
};

struct Question {
  std::string text;
  int category = 0;
  std::set<std::string> evidence;
};

struct Conversation {
  std::vector<Fact> facts;
  std::vector<Question> questions;
};

// "D8:6; D9:17" → {"D8:6", "D9:17"}: a few evidence entries hold more than one id.
void AddIds(const std::string& text, std::set<std::string>& out) {
  std::string id;
  for (char c : text + ";") {
    if (c == ';' || c == ',' || c == ' ') {
      if (!id.empty()) out.insert(id);
      id.clear();
    } else {
      id += c;
    }
  }
}

std::vector<Conversation> Load(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json::value root = json::parse(text.str());
  std::vector<Conversation> conversations;
  for (const json::value& c : root.as_array()) {
    Conversation conv;
    for (const auto& session : c.at("observation").as_object()) {
      for (const auto& speaker : session.value().as_object()) {
        for (const json::value& item : speaker.value().as_array()) {
          const json::array& pair = item.as_array();
          Fact fact;
          fact.text = std::string(pair.at(0).as_string());
          fact.speaker = std::string(speaker.key());
          if (pair.at(1).is_string()) {
            fact.dialog_ids.emplace_back(pair.at(1).as_string());
          } else {
            for (const json::value& id : pair.at(1).as_array()) fact.dialog_ids.emplace_back(id.as_string());
          }
          conv.facts.push_back(std::move(fact));
        }
      }
    }
    for (const json::value& q : c.at("qa").as_array()) {
      Question question;
      question.category = static_cast<int>(q.at("category").to_number<double>());
      if (question.category < 1 || question.category > 4) continue;  // 5: unanswerable
      question.text = std::string(q.at("question").as_string());
      for (const json::value& e : q.at("evidence").as_array()) AddIds(std::string(e.as_string()), question.evidence);
      conv.questions.push_back(std::move(question));
    }
    conversations.push_back(std::move(conv));
  }
  return conversations;
}

// As an AI tool would title it: the first sentence, cut at a word to about 80 characters
// (or, with --title-words N, its first N words: a sensitivity check).
std::string TitleOf(const std::string& fact, int words) {
  if (words > 0) {
    std::size_t end = 0;
    for (int i = 0; i < words && end != std::string::npos; ++i) end = fact.find(' ', end + (i > 0));
    return fact.substr(0, end);
  }
  std::string title = fact.substr(0, fact.find(". "));
  if (title.size() > 80) {
    std::size_t cut = title.rfind(' ', 78);
    title = title.substr(0, cut == std::string::npos || cut < 40 ? 78 : cut) + "…";
  }
  return title;
}

// --- the baseline: plain Okapi BM25 -------------------------------------------------
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  return out;
}

class Bm25 {
 public:
  explicit Bm25(const std::vector<Fact>& facts) {
    double total = 0;
    for (const Fact& f : facts) {
      std::unordered_map<std::string, double> tf;
      const std::vector<std::string> words = Tokens(f.text);
      for (const std::string& w : words) tf[w] += 1;
      for (const auto& entry : tf) df_[entry.first] += 1;
      lengths_.push_back(static_cast<double>(words.size()));
      total += static_cast<double>(words.size());
      tf_.push_back(std::move(tf));
    }
    average_ = facts.empty() ? 1 : total / static_cast<double>(facts.size());
  }
  // Indexes of the best `k` facts with a positive score, best first (ties: earlier fact).
  // matches_only (a diagnostic): N and avgdl of the facts holding a query word, as
  // search_memories takes its statistics from its candidates, instead of all facts.
  std::vector<std::size_t> Top(const std::string& query, std::size_t k, bool matches_only = false) const {
    std::set<std::string> terms;
    for (const std::string& w : Tokens(query)) terms.insert(w);
    double n = static_cast<double>(tf_.size()), average = average_;
    if (matches_only) {
      double rows = 0, total = 0;
      for (std::size_t d = 0; d < tf_.size(); ++d) {
        if (std::none_of(terms.begin(), terms.end(), [&](const std::string& t) { return tf_[d].count(t) > 0; })) continue;
        rows += 1;
        total += lengths_[d];
      }
      n = rows;
      average = rows > 0 ? total / rows : 1;
    }
    std::vector<std::pair<double, std::size_t>> scored;
    for (std::size_t d = 0; d < tf_.size(); ++d) {
      double score = 0;
      for (const std::string& t : terms) {
        auto f = tf_[d].find(t);
        if (f == tf_[d].end()) continue;
        const double df = df_.at(t);
        const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
        score += idf * f->second * (kK1 + 1) / (f->second + kK1 * (1 - kB + kB * lengths_[d] / average));
      }
      if (score > 0) scored.emplace_back(-score, d);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::size_t> top;
    for (std::size_t i = 0; i < scored.size() && i < k; ++i) top.push_back(scored[i].second);
    return top;
  }

 private:
  static constexpr double kK1 = 1.2, kB = 0.75;
  std::vector<std::unordered_map<std::string, double>> tf_;
  std::unordered_map<std::string, double> df_;
  std::vector<double> lengths_;
  double average_ = 1;
};

// --- scoring ------------------------------------------------------------------------
struct Tally {
  int n = 0, reachable = 0, at1 = 0, at5 = 0, at10 = 0;
  double reciprocal = 0;
  // rank: 1-based position of the first evidence memory in the top 10, 0 if none.
  void Add(int rank, bool can_hit) {
    ++n;
    reachable += can_hit ? 1 : 0;
    at1 += rank == 1;
    at5 += rank >= 1 && rank <= 5;
    at10 += rank >= 1 && rank <= 10;
    reciprocal += rank > 0 ? 1.0 / rank : 0;
  }
};

bool Carries(const std::vector<std::string>& ids, const std::set<std::string>& evidence) {
  return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return evidence.count(id) > 0; });
}

double Pct(int k, int n) { return n == 0 ? 0 : 100.0 * k / n; }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Writes, asks and prints the tables; the store is closed when it returns.
struct RunOptions {
  int show_misses = 0;
  int title_words = 0;  // 0: the first sentence
  bool tags = true;     // the speaker as a tag
};

void Run(const std::vector<Conversation>& conversations, const std::string& data, const std::string& path,
         const RunOptions& options) {
  const int show_misses = options.show_misses;
  auto db = Check(rm::store::Database::Open(path), "open");
  mcp::ServerDefinition server;
  std::shared_ptr<rm::tools::MemoryService> service = rm::tools::RegisterMemoryServer(server, *db, {});

  // [0] overall, [1..4] per category; product and baseline.
  std::array<Tally, 5> product{}, baseline{};
  Tally matches_only;  // the baseline with the statistics of the matching facts, overall
  std::vector<double> search_ms;
  std::map<std::string, Tally> by_match;  // product, by the reply's "match": all / any / none
  std::array<Tally, 2> possessive_product{}, possessive_baseline{};  // [1]: the question holds "'s"
  // Head to head: [0] only search_memories, [1] only the baseline has it — in the top 1 / top 5.
  std::array<int, 2> only_at1{}, only_at5{};
  int facts = 0, memories = 0, merged = 0, misses_shown = 0;
  int found_anywhere = 0;  // questions whose evidence is among search_memories' matches at any rank
  for (std::size_t c = 0; c < conversations.size(); ++c) {
    const Conversation& conv = conversations[c];
    const std::string email = "locomo" + std::to_string(c) + "@bench.example";
    const rm::store::User user = Check(rm::store::WriteValue<rm::store::User>(*db,
                                                                              [&](rm::store::Connection& conn) {
                                                                                return rm::store::InsertUser(
                                                                                    conn, {email, "admin", "user"});
                                                                              }),
                                       "user");
    const rm::tools::Caller caller{user.id, std::nullopt, "api"};

    std::unordered_map<std::string, std::vector<std::string>> ids_of;  // memory id → dialog ids
    std::unordered_map<std::string, std::string> title_of;             // for --show-misses
    for (const Fact& fact : conv.facts) {
      rm::tools::NewMemory memory;
      memory.title = TitleOf(fact.text, options.title_words);
      memory.content = fact.text;
      if (options.tags) memory.tags = {fact.speaker};
      json::value reply = Check(service->WriteMemory(caller, std::nullopt, memory, std::nullopt), "write_memory");
      const std::string id(reply.at("memory").at("id").as_string());
      if (reply.as_object().contains("merged_into")) ++merged;
      else ++memories;
      auto& ids = ids_of[id];
      ids.insert(ids.end(), fact.dialog_ids.begin(), fact.dialog_ids.end());
      title_of[id] = fact.text;
      ++facts;
    }
    std::set<std::string> all_ids;
    for (const Fact& fact : conv.facts) all_ids.insert(fact.dialog_ids.begin(), fact.dialog_ids.end());

    const Bm25 bm25(conv.facts);
    for (const Question& q : conv.questions) {
      const bool can_hit = std::any_of(q.evidence.begin(), q.evidence.end(),
                                       [&](const std::string& id) { return all_ids.count(id) > 0; });
      rm::tools::SearchArgs args;
      args.term = q.text;
      args.limit = 10;
      const auto t0 = Clock::now();
      rm::tools::MemoryService::Reply reply = service->SearchMemories(caller, std::nullopt, args);
      search_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!reply.ok()) Die("search_memories '" + q.text + "': " + reply.status().ToString());
      const json::array& results = reply->at("results").as_array();
      int rank = 0;
      for (std::size_t i = 0; i < results.size() && rank == 0; ++i) {
        if (Carries(ids_of[std::string(results[i].at("id").as_string())], q.evidence)) rank = static_cast<int>(i) + 1;
      }
      product[0].Add(rank, can_hit);
      product[static_cast<std::size_t>(q.category)].Add(rank, can_hit);
      // Is the evidence among search_memories' matches at all, at any rank? (every page):
      // no ranking of those matches can put more questions in the top 5 than this.
      bool anywhere = rank > 0;
      for (json::value next = reply->at("next_cursor"); !anywhere && next.is_string();) {
        rm::tools::SearchArgs more = args;
        more.limit = 50;
        more.cursor = std::string(next.as_string());
        rm::tools::MemoryService::Reply page = service->SearchMemories(caller, std::nullopt, more);
        if (!page.ok()) Die("search_memories page: " + page.status().ToString());
        for (const json::value& hit : page->at("results").as_array()) {
          anywhere = anywhere || Carries(ids_of[std::string(hit.at("id").as_string())], q.evidence);
        }
        next = page->at("next_cursor");
      }
      found_anywhere += anywhere ? 1 : 0;
      by_match[results.empty() ? "none" : std::string(reply->at("match").as_string())].Add(rank, can_hit);

      const std::vector<std::size_t> top = bm25.Top(q.text, 10);
      int base_rank = 0;
      for (std::size_t i = 0; i < top.size() && base_rank == 0; ++i) {
        if (Carries(conv.facts[top[i]].dialog_ids, q.evidence)) base_rank = static_cast<int>(i) + 1;
      }
      baseline[0].Add(base_rank, can_hit);
      baseline[static_cast<std::size_t>(q.category)].Add(base_rank, can_hit);
      const std::vector<std::size_t> top_matches = bm25.Top(q.text, 10, true);
      int matches_rank = 0;
      for (std::size_t i = 0; i < top_matches.size() && matches_rank == 0; ++i) {
        if (Carries(conv.facts[top_matches[i]].dialog_ids, q.evidence)) matches_rank = static_cast<int>(i) + 1;
      }
      matches_only.Add(matches_rank, can_hit);
      const auto in_top = [](int r, int k) { return r >= 1 && r <= k; };
      if (in_top(rank, 1) != in_top(base_rank, 1)) ++only_at1[in_top(rank, 1) ? 0 : 1];
      if (in_top(rank, 5) != in_top(base_rank, 5)) ++only_at5[in_top(rank, 5) ? 0 : 1];
      const std::size_t possessive = q.text.find("'s ") != std::string::npos ? 1 : 0;
      possessive_product[possessive].Add(rank, can_hit);
      possessive_baseline[possessive].Add(base_rank, can_hit);

      if (misses_shown < show_misses && base_rank >= 1 && (rank == 0 || rank > base_rank)) {
        ++misses_shown;
        std::printf("miss (cat %d, bm25 rank %d, product rank %d, match %s, %zu results): %s\n", q.category,
                    base_rank, rank, results.empty() ? "none" : std::string(reply->at("match").as_string()).c_str(),
                    results.size(), q.text.c_str());
        for (std::size_t i = 0; i < results.size() && i < 3; ++i) {
          std::printf("    product %zu: %s\n", i + 1, title_of[std::string(results[i].at("id").as_string())].c_str());
        }
        std::printf("    bm25 hit: %s\n", conv.facts[top[static_cast<std::size_t>(base_rank - 1)]].text.c_str());
      }
    }
  }

  std::printf("\nmemories: title = %s, tags = %s\n", options.title_words > 0 ? "the fact's first words" : "its first sentence",
              options.tags ? "the speaker" : "none");
  std::printf("\nLoCoMo (%s): %zu conversations, %d facts → %d memories (%d merged into a near-identical one), "
              "%d answerable questions\n\n",
              fs::path(data).filename().c_str(), conversations.size(), facts, memories, merged, product[0].n);
  static const char* const kNames[] = {"overall", "1 multi-hop", "2 temporal", "3 open-domain", "4 single-hop"};
  std::printf("| category | n | evidence among the facts | search_memories R@1 | R@5 | R@10 | MRR | BM25 R@1 | R@5 | R@10 | MRR |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::size_t i : std::array<std::size_t, 5>{1, 2, 3, 4, 0}) {
    const Tally& p = product[i];
    const Tally& b = baseline[i];
    std::printf("| %s | %d | %d | %.1f %% | %.1f %% | %.1f %% | %.3f | %.1f %% | %.1f %% | %.1f %% | %.3f |\n",
                i == 0 ? "**overall**" : kNames[i], p.n, p.reachable, Pct(p.at1, p.n), Pct(p.at5, p.n),
                Pct(p.at10, p.n), p.n ? p.reciprocal / p.n : 0, Pct(b.at1, b.n), Pct(b.at5, b.n), Pct(b.at10, b.n),
                b.n ? b.reciprocal / b.n : 0);
  }
  std::printf("\nBM25 with N and avgdl of the facts holding a query word only (as search_memories takes them "
              "from its candidates): R@1 %.1f %%, R@5 %.1f %%, R@10 %.1f %%, MRR %.3f\n",
              Pct(matches_only.at1, matches_only.n), Pct(matches_only.at5, matches_only.n),
              Pct(matches_only.at10, matches_only.n), matches_only.n ? matches_only.reciprocal / matches_only.n : 0);
  std::printf("\nEvidence among search_memories' matches at any rank (every page): %d of %d questions = %.1f %% — "
              "the most any ranking of full-text matches can put in the top 5\n",
              found_anywhere, product[0].n, Pct(found_anywhere, product[0].n));
  std::printf("\nHead to head: evidence in the top 1 of only search_memories %d, of only BM25 %d; "
              "in the top 5 of only search_memories %d, of only BM25 %d\n",
              only_at1[0], only_at1[1], only_at5[0], only_at5[1]);
  std::printf("\nsearch_memories by how it matched (\"match\" of the reply; none = no result):\n\n"
              "| match | n | R@1 | R@5 | R@10 | MRR |\n|---|---|---|---|---|---|\n");
  for (const auto& entry : by_match) {
    const Tally& t = entry.second;
    std::printf("| %s | %d | %.1f %% | %.1f %% | %.1f %% | %.3f |\n", entry.first.c_str(), t.n, Pct(t.at1, t.n),
                Pct(t.at5, t.n), Pct(t.at10, t.n), t.n ? t.reciprocal / t.n : 0);
  }
  std::printf("\nBy whether the question holds a possessive 's (search_memories searches \"name's\" as the "
              "phrase \"name s\"; the baseline splits it into two words):\n\n"
              "| question | n | search_memories R@5 | MRR | BM25 R@5 | MRR |\n|---|---|---|---|---|---|\n");
  for (std::size_t i : {std::size_t{1}, std::size_t{0}}) {
    const Tally& p = possessive_product[i];
    const Tally& b = possessive_baseline[i];
    std::printf("| %s | %d | %.1f %% | %.3f | %.1f %% | %.3f |\n", i ? "with 's" : "without", p.n, Pct(p.at5, p.n),
                p.n ? p.reciprocal / p.n : 0, Pct(b.at5, b.n), b.n ? b.reciprocal / b.n : 0);
  }
  std::printf("\nsearch_memories tool call (service, one transaction, metered), per question: p50 %.3f ms, p99 %.3f ms\n",
              Percentile(search_ms, 0.5), Percentile(search_ms, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"LoCoMo retrieval: recall@K of search_memories vs plain BM25 (issue 17)"};
  std::string data = (fs::path(RM_SOURCE_DIR) / ".." / "shared" / "datasets" / "locomo-dev" / "locomo-dev.json")
                         .lexically_normal()
                         .string();
  std::string dir;
  RunOptions options;
  app.add_option("--data", data, "the LoCoMo JSON (conversations with observation and qa)");
  app.add_option("--dir", dir, "where the store is made (default: a new directory under the temp dir, removed after)");
  app.add_option("--show-misses", options.show_misses,
                 "print N questions whose evidence search_memories ranks lower than BM25 (to the terminal only)");
  app.add_option("--title-words", options.title_words,
                 "title each memory with the fact's first N words instead of its first sentence");
  bool no_tags = false;
  app.add_flag("--no-tags", no_tags, "write the memories without the speaker tag");
  CLI11_PARSE(app, argc, argv);
  options.tags = !no_tags;

  if (!fs::exists(data)) {
    std::printf("skipped: dataset not found at %s\n", data.c_str());
    return 0;
  }
  const bool own_dir = dir.empty();
  if (own_dir) dir = (fs::temp_directory_path() / ("locomo_bench-" + std::to_string(getpid()))).string();
  fs::create_directories(dir);
  const std::string path = (fs::path(dir) / "locomo.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  Run(Load(data), data, path, options);
  if (own_dir) fs::remove_all(dir);
  return 0;
}
