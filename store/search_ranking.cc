#include "store/search_ranking.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace rm::store {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr int kScoredColumns = 3;                              // title, content, tags
constexpr double kColumnWeight[kScoredColumns] = {8.0, 1.0, 3.0};  // in SearchColumn order

// ---------------------------------------------------------------- rm_bm25

struct RankParams {
  int phrases = 0;
  double rows = 0;
  double avg_len = 1;
  std::vector<double> idf;
};

// The index's totals: rows, and tokens per row in the scored columns. Shared by
// rm_corpus_stats and rm_bm25 so both give the very same doubles.
int IndexTotals(const Fts5ExtensionApi* api, Fts5Context* fts, double& rows, double& avg_len) {
  sqlite3_int64 count = 0;
  int rc = api->xRowCount(fts, &count);
  sqlite3_int64 total = 0;
  for (int c = 0; rc == SQLITE_OK && c < kScoredColumns; ++c) {
    sqlite3_int64 column_total = 0;
    rc = api->xColumnTotalSize(fts, c, &column_total);
    total += column_total;
  }
  rows = static_cast<double>(count);
  avg_len = count > 0 ? static_cast<double>(total) / static_cast<double>(count) : 1.0;
  return rc;
}

// Parses "P N avgdl n_0 .. n_{P-1}"; false if malformed. N < 0: the index's
// totals, read here (the caller had no need of them before scoring).
bool ParseRankParams(const char* text, const Fts5ExtensionApi* api, Fts5Context* fts, RankParams& out) {
  if (text == nullptr) return false;
  char* end = nullptr;
  long phrases = std::strtol(text, &end, 10);
  if (end == text || phrases < 0 || phrases > 64) return false;
  out.phrases = static_cast<int>(phrases);
  const char* p = end;
  out.rows = std::strtod(p, &end);
  if (end == p) return false;
  p = end;
  out.avg_len = std::strtod(p, &end);
  if (end == p) return false;
  if (out.rows < 0 && IndexTotals(api, fts, out.rows, out.avg_len) != SQLITE_OK) return false;
  if (out.avg_len <= 0) out.avg_len = 1;
  for (int i = 0; i < out.phrases; ++i) {
    p = end;
    double n = std::strtod(p, &end);
    if (end == p) return false;
    // FTS5's IDF, floored the same way so a very common phrase still counts a little.
    double idf = std::log((out.rows - n + 0.5) / (n + 0.5));
    out.idf.push_back(idf > 1e-6 ? idf : 1e-6);
  }
  return true;
}

void Bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int argc,
          sqlite3_value** argv) {
  // The parsed parameters live as long as the query (FTS5 auxdata), not per row.
  auto* params = static_cast<RankParams*>(api->xGetAuxdata(fts, 0));
  if (params == nullptr) {
    auto fresh = std::make_unique<RankParams>();
    const char* text = argc == 1 ? reinterpret_cast<const char*>(sqlite3_value_text(argv[0])) : nullptr;
    if (!ParseRankParams(text, api, fts, *fresh)) {
      sqlite3_result_error(ctx, "rm_bm25: expected \"P N avgdl n_0 .. n_P-1\"", -1);
      return;
    }
    params = fresh.release();
    int rc = api->xSetAuxdata(fts, params, [](void* p) { delete static_cast<RankParams*>(p); });
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  const int phrases = std::min(params->phrases, api->xPhraseCount(fts));
  std::vector<double> frequency(static_cast<std::size_t>(phrases), 0.0);
  int instances = 0;
  int rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase < phrases && column < kScoredColumns) {
      frequency[static_cast<std::size_t>(phrase)] += kColumnWeight[column];
    }
  }
  double length = 0;
  for (int c = 0; rc == SQLITE_OK && c < kScoredColumns; ++c) {
    int tokens = 0;
    rc = api->xColumnSize(fts, c, &tokens);
    length += tokens;
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  const double norm = kK1 * (1 - kB + kB * length / params->avg_len);
  double score = 0;
  for (int i = 0; i < phrases; ++i) {
    const double f = frequency[static_cast<std::size_t>(i)];
    if (f > 0) score += params->idf[static_cast<std::size_t>(i)] * (f * (kK1 + 1)) / (f + norm);
  }
  sqlite3_result_double(ctx, score);
}

// ---------------------------------------------------------------- rm_corpus_stats

void CorpusStats(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int,
                 sqlite3_value**) {
  // Read once per query (FTS5 reads its totals record anew on every call), then
  // kept with the query: a scoring statement reports them on each of its rows.
  auto* text = static_cast<std::string*>(api->xGetAuxdata(fts, 0));
  if (text == nullptr) {
    double rows = 0, avg_len = 1;
    int rc = IndexTotals(api, fts, rows, avg_len);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    char formatted[64];
    std::snprintf(formatted, sizeof formatted, "%.0f %.17g", rows, avg_len);
    text = new std::string(formatted);
    rc = api->xSetAuxdata(fts, text, [](void* p) { delete static_cast<std::string*>(p); });
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  sqlite3_result_text(ctx, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
}

// ---------------------------------------------------------------- registration

int InstallOnConnection(sqlite3* db, char** error, const sqlite3_api_routines*) {
  fts5_api* api = Fts5Api(db);
  if (api == nullptr) {
    *error = sqlite3_mprintf("this SQLite has no FTS5; reflect-memory needs it for search");
    return SQLITE_ERROR;
  }
  int rc = api->xCreateFunction(api, "rm_bm25", nullptr, Bm25, nullptr);
  if (rc == SQLITE_OK) rc = api->xCreateFunction(api, "rm_corpus_stats", nullptr, CorpusStats, nullptr);
  return rc;
}

// Installed before main(), so every connection any Database opens has the functions.
const bool kInstalled = [] {
  return sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(&InstallOnConnection)) ==
         SQLITE_OK;
}();

}  // namespace

bool SearchFunctionsInstalled() { return kInstalled; }

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace rm::store
