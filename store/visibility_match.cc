#include "store/visibility_match.h"

namespace rm::store {
namespace {

std::string Quoted(const std::string& token) { return "\"" + token + "\""; }

// An index token for a pool, vendor or tag (migration 5): `prefix` then the
// value's UTF-8 bytes in upper-case hex, as SQLite's hex() writes them.
std::string HexToken(std::string_view prefix, std::string_view value) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string token(prefix);
  token.reserve(prefix.size() + 2 * value.size());
  for (unsigned char c : value) {
    token += kDigits[c >> 4];
    token += kDigits[c & 15];
  }
  return token;
}

// The tag tokens of a tags-any filter, OR-ed: "xg<hex>" OR ... ("" for "[]").
// The tags come as JSON, read by SQLite's json_each (and lower()-ed as the index
// view does); only searches with a tag filter pay for this statement.
Result<std::string> TagTokens(Connection& conn, const std::string& tags_json) {
  Statement& s = conn.Prepare(
      "SELECT group_concat('\"xg' || hex(lower(value)) || '\"', ' OR ') FROM json_each(?1)");
  s.Bind(1, tags_json);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::string tags = *row ? s.Text(0) : "";
  s.Reset();
  return tags;
}

}  // namespace

Result<std::optional<std::string>> VisibilityMatch(Connection& conn, const Viewer& viewer,
                                                   const SearchFilters& filters) {
  const std::string user = HexToken("xu", viewer.user_id);
  const std::string org = HexToken("xo", viewer.org_id.value_or(""));
  const std::string team = HexToken("xt", viewer.team_id.value_or(""));
  const std::string vendor = HexToken("xv", viewer.vendor.value_or(""));
  std::string tags;
  if (!filters.tags_any_json.empty()) {
    Result<std::string> t = TagTokens(conn, filters.tags_any_json);
    if (!t.ok()) return t.status();
    tags = std::move(*t);
  }

  std::string pools;
  switch (filters.scope) {
    case Scope::kPersonal: pools = Quoted(user); break;
    case Scope::kOrg:
      if (!viewer.org_id) return std::optional<std::string>();
      pools = Quoted(org);
      break;
    case Scope::kTeam:
      if (!viewer.team_id) return std::optional<std::string>();
      pools = Quoted(team);
      break;
    case Scope::kAll:
      pools = Quoted(user);
      if (viewer.org_id) pools += " OR " + Quoted(org);
      if (viewer.team_id) pools += " OR " + Quoted(team);
      break;
  }
  std::string positive = "vis : (" + pools + ")";
  if (filters.memory_type) positive += " AND vis : " + Quoted("xk" + *filters.memory_type);
  if (!filters.tags_any_json.empty()) {
    if (tags.empty()) return std::optional<std::string>();  // "[]": no tag can match
    positive += " AND vis : (" + tags + ")";
  }
  // Dense facts are excluded through their rare opposite (see migration 5).
  std::string expression = "((" + positive + ") NOT vis : \"xtrash\")";
  if (filters.scope == Scope::kPersonal) expression = "(" + expression + " NOT vis : \"xshared\")";
  if (viewer.vendor) {
    expression = "(" + expression + " NOT vis : (\"xrestricted\" NOT " + Quoted(vendor) + "))";
  }
  return std::optional<std::string>(std::move(expression));
}

}  // namespace rm::store
