#include "store/search_tokenizer.h"

#include <sqlite3.h>

#include <climits>

#include "store/search_ranking.h"

namespace rm::store {
namespace {

// SQLite hands its tokenizers out through a connection's fts5_api. This process
// keeps one private in-memory connection open for that, for its whole life, so the
// tokenizer's methods (and whatever context they were registered with) stay valid.
struct Unicode61 {
  fts5_tokenizer methods{};
  void* context = nullptr;
  sqlite3* db = nullptr;  // never closed (see above)
  bool ok = false;
};

const Unicode61& Methods() {
  static const Unicode61 loaded = [] {
    Unicode61 u;
    if (sqlite3_open_v2(":memory:", &u.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      return u;
    }
    fts5_api* api = Fts5Api(u.db);
    u.ok = api != nullptr &&
           api->xFindTokenizer(api, "unicode61", &u.context, &u.methods) == SQLITE_OK;
    return u;
  }();
  return loaded;
}

// A tokenizer instance keeps a scratch buffer, so each thread has its own.
struct Instance {
  Fts5Tokenizer* tokenizer = nullptr;
  ~Instance() {
    if (tokenizer != nullptr) Methods().methods.xDelete(tokenizer);
  }
};

Fts5Tokenizer* ThreadTokenizer() {
  thread_local Instance instance;
  if (instance.tokenizer == nullptr && Methods().ok) {
    const char* args[] = {"remove_diacritics", "2"};  // as migration 5 declares the index
    if (Methods().methods.xCreate(Methods().context, args, 2, &instance.tokenizer) != SQLITE_OK) {
      instance.tokenizer = nullptr;
    }
  }
  return instance.tokenizer;
}

// Runs the tokenizer over `text`, calling on_token(folded, size, start, end).
template <typename OnToken>
Status Tokenize(std::string_view text, int flags, OnToken on_token) {
  Fts5Tokenizer* tokenizer = ThreadTokenizer();
  if (tokenizer == nullptr) return Status::Internal("SQLite's unicode61 tokenizer could not be loaded");
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return Status::InvalidArgument("text too long to tokenize");
  const int rc = Methods().methods.xTokenize(
      tokenizer, &on_token, flags, text.data(), static_cast<int>(text.size()),
      [](void* callback, int, const char* token, int size, int start, int end) {
        (*static_cast<OnToken*>(callback))(token, size, start, end);
        return SQLITE_OK;
      });
  if (rc != SQLITE_OK) return Status::Internal(std::string("tokenizing: ") + sqlite3_errstr(rc));
  return Status::Ok();
}

}  // namespace

Status TokenizeLikeIndex(std::string_view text, TextTokens& out) {
  out.tokens.clear();
  out.folded.clear();
  return Tokenize(text, FTS5_TOKENIZE_DOCUMENT, [&out](const char* token, int size, int start, int end) {
    out.tokens.push_back({start, end, static_cast<int>(out.folded.size()), size});
    out.folded.append(token, static_cast<std::size_t>(size));
  });
}

Result<std::string> FoldedTokens(std::string_view text) {
  std::string joined;
  Status st = Tokenize(text, FTS5_TOKENIZE_QUERY, [&joined](const char* token, int size, int, int) {
    if (!joined.empty()) joined += ' ';
    joined.append(token, static_cast<std::size_t>(size));
  });
  if (!st.ok()) return st;
  return joined;
}

}  // namespace rm::store
