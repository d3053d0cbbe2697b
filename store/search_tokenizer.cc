#include "store/search_tokenizer.h"

#include <sqlite3.h>

#include <array>
#include <climits>

#include "store/search_ranking.h"

namespace rm::store {
namespace {

// SQLite hands its tokenizers out through a connection's fts5_api. This process
// keeps one private in-memory connection open for that, for its whole life, so the
// tokenizers' methods (and whatever context they were registered with) stay valid.
struct Loaded {
  fts5_tokenizer methods{};
  void* context = nullptr;
  bool ok = false;
};

// Which tokenizer: the index's (stems), or the same without stemming (words as typed,
// folded), by the name and arguments migration 12 declares.
enum class Kind { kIndex = 0, kWords = 1 };

const Loaded& Methods(Kind kind) {
  static const std::array<Loaded, 2> loaded = [] {
    std::array<Loaded, 2> l;
    sqlite3* db = nullptr;  // never closed (see above)
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      return l;
    }
    fts5_api* api = Fts5Api(db);
    if (api == nullptr) return l;
    for (Kind k : {Kind::kIndex, Kind::kWords}) {
      Loaded& one = l[static_cast<std::size_t>(k)];
      one.ok = api->xFindTokenizer(api, k == Kind::kIndex ? "porter" : "unicode61", &one.context, &one.methods) ==
               SQLITE_OK;
    }
    return l;
  }();
  return loaded[static_cast<std::size_t>(kind)];
}

// A tokenizer instance keeps a scratch buffer, so each thread has its own.
struct Instance {
  Kind kind;
  Fts5Tokenizer* tokenizer = nullptr;
  ~Instance() {
    if (tokenizer != nullptr) Methods(kind).methods.xDelete(tokenizer);
  }
};

Fts5Tokenizer* ThreadTokenizer(Kind kind) {
  thread_local Instance instances[2] = {{Kind::kIndex}, {Kind::kWords}};
  Instance& instance = instances[static_cast<std::size_t>(kind)];
  const Loaded& loaded = Methods(kind);
  if (instance.tokenizer == nullptr && loaded.ok) {
    // As migration 12 declares the index: porter over "unicode61 remove_diacritics 2".
    const char* index_args[] = {"unicode61", "remove_diacritics", "2"};
    const char* word_args[] = {"remove_diacritics", "2"};
    const bool index = kind == Kind::kIndex;
    if (loaded.methods.xCreate(loaded.context, index ? index_args : word_args, index ? 3 : 2,
                               &instance.tokenizer) != SQLITE_OK) {
      instance.tokenizer = nullptr;
    }
  }
  return instance.tokenizer;
}

// Runs the tokenizer over `text`, calling on_token(folded, size, start, end).
template <typename OnToken>
Status Tokenize(Kind kind, std::string_view text, int flags, OnToken on_token) {
  Fts5Tokenizer* tokenizer = ThreadTokenizer(kind);
  if (tokenizer == nullptr) return Status::Internal("SQLite's porter and unicode61 tokenizers could not be loaded");
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return Status::InvalidArgument("text too long to tokenize");
  const int rc = Methods(kind).methods.xTokenize(
      tokenizer, &on_token, flags, text.data(), static_cast<int>(text.size()),
      [](void* callback, int, const char* token, int size, int start, int end) {
        (*static_cast<OnToken*>(callback))(token, size, start, end);
        return SQLITE_OK;
      });
  if (rc != SQLITE_OK) return Status::Internal(std::string("tokenizing: ") + sqlite3_errstr(rc));
  return Status::Ok();
}

Result<std::string> JoinedTokens(Kind kind, std::string_view text) {
  std::string joined;
  Status st = Tokenize(kind, text, FTS5_TOKENIZE_QUERY, [&joined](const char* token, int size, int, int) {
    if (!joined.empty()) joined += ' ';
    joined.append(token, static_cast<std::size_t>(size));
  });
  if (!st.ok()) return st;
  return joined;
}

}  // namespace

Status TokenizeLikeIndex(std::string_view text, TextTokens& out) {
  out.tokens.clear();
  out.folded.clear();
  return Tokenize(Kind::kIndex, text, FTS5_TOKENIZE_DOCUMENT, [&out](const char* token, int size, int start, int end) {
    out.tokens.push_back({start, end, static_cast<int>(out.folded.size()), size});
    out.folded.append(token, static_cast<std::size_t>(size));
  });
}

Result<std::string> FoldedTokens(std::string_view text) { return JoinedTokens(Kind::kIndex, text); }

Result<std::string> FoldedWords(std::string_view text) { return JoinedTokens(Kind::kWords, text); }

}  // namespace rm::store
