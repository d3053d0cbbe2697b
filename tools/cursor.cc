#include "tools/cursor.h"

#include <bit>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace rm::tools {
namespace json = boost::json;
namespace {

Status BadCursor() {
  return Status::InvalidArgument(
      "cursor: not a cursor this list returned to you; pass next_cursor unchanged, or omit it to "
      "start from the first page");
}

// What a cursor is bound to: its kind and who may use it. Each part is
// length-prefixed so no two different bindings read alike.
std::string Binding(std::string_view kind, const store::Viewer& viewer, std::string_view search = {}) {
  std::string out;
  auto add = [&out](std::string_view part) { out += std::to_string(part.size()) + ":" + std::string(part) + ";"; };
  add(kind);
  add(viewer.user_id);
  // An owner key (no vendor) is told apart from any vendor, including an empty name.
  add(viewer.vendor ? "v" + *viewer.vendor : "-");
  add(viewer.org_id.value_or(""));
  add(viewer.team_id.value_or(""));
  add(search);
  return out;
}

std::optional<json::object> OpenObject(const SealedBox& box, std::string_view cursor, const std::string& binding) {
  std::optional<std::string> text = box.Open(cursor, binding);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

// Doubles travel as their exact bit pattern: a JSON number might not parse back
// to the very same double, and scores are compared for equality.
std::uint64_t Bits(double d) { return std::bit_cast<std::uint64_t>(d); }
double FromBits(std::uint64_t u) { return std::bit_cast<double>(u); }

std::optional<std::int64_t> Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<double> DoubleOf(const json::value& v) {
  if (v.is_uint64()) return FromBits(v.get_uint64());
  if (v.is_int64() && v.get_int64() >= 0) return FromBits(static_cast<std::uint64_t>(v.get_int64()));
  return std::nullopt;
}

std::optional<double> Double(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? DoubleOf(*v) : std::nullopt;
}

}  // namespace

std::string CursorCodec::EncodeList(const store::ListPosition& position, const store::Viewer& viewer) const {
  json::object o{{"c", position.created_at}, {"r", position.rowid}};
  return box_.Seal(json::serialize(o), Binding("list", viewer));
}

Result<store::ListPosition> CursorCodec::DecodeList(std::string_view cursor, const store::Viewer& viewer) const {
  std::optional<json::object> o = OpenObject(box_, cursor, Binding("list", viewer));
  if (!o) return BadCursor();
  const json::value* created = o->if_contains("c");
  std::optional<std::int64_t> rowid = Int(*o, "r");
  if (!created || !created->is_string() || !rowid) return BadCursor();
  return store::ListPosition{std::string(created->get_string()), *rowid};
}

std::string CursorCodec::EncodeSearch(const SearchCursor& c, const store::Viewer& viewer,
                                      std::string_view search) const {
  json::array rows;
  for (double n : c.window.phrase_rows) rows.emplace_back(Bits(n));
  json::object o{
      {"m", c.mode == store::MatchMode::kAll ? "all" : "any"},
      {"lo", c.window.lowest_rowid},
      {"hi", c.window.highest_rowid},
      {"n", Bits(c.window.rows)},
      {"avg", Bits(c.window.average_length)},
      {"df", std::move(rows)},
      {"s", Bits(c.after.score)},
      {"r", c.after.rowid},
  };
  if (!c.window.rare_phrases.empty()) {
    json::array rare;
    for (int p : c.window.rare_phrases) rare.emplace_back(p);
    o["rare"] = std::move(rare);
  }
  if (c.hybrid) {
    o["ho"] = c.hybrid->offset;
    o["hn"] = c.hybrid->newest_rowid;
  }
  return box_.Seal(json::serialize(o), Binding("search", viewer, search));
}

Result<SearchCursor> CursorCodec::DecodeSearch(std::string_view cursor, const store::Viewer& viewer,
                                               std::string_view search) const {
  std::optional<json::object> o = OpenObject(box_, cursor, Binding("search", viewer, search));
  if (!o) {
    return Status::InvalidArgument(
        "cursor: not a cursor of this search; pass next_cursor unchanged with the same term and filters, "
        "or omit it to start from the first page");
  }
  SearchCursor c;
  const json::value* mode = o->if_contains("m");
  const json::value* df = o->if_contains("df");
  std::optional<std::int64_t> lo = Int(*o, "lo"), hi = Int(*o, "hi"), rowid = Int(*o, "r");
  std::optional<double> n = Double(*o, "n"), avg = Double(*o, "avg"), score = Double(*o, "s");
  if (!mode || !mode->is_string() || !df || !df->is_array() || !lo || !hi || !rowid || !n || !avg || !score) {
    return BadCursor();
  }
  c.mode = mode->get_string() == "any" ? store::MatchMode::kAny : store::MatchMode::kAll;
  c.window.lowest_rowid = *lo;
  c.window.highest_rowid = *hi;
  c.window.rows = *n;
  c.window.average_length = *avg;
  for (const json::value& v : df->get_array()) {
    std::optional<double> rows = DoubleOf(v);
    if (!rows) return BadCursor();
    c.window.phrase_rows.push_back(*rows);
  }
  if (const json::value* rare = o->if_contains("rare")) {
    if (!rare->is_array()) return BadCursor();
    for (const json::value& v : rare->get_array()) {
      if (!v.is_int64()) return BadCursor();
      c.window.rare_phrases.push_back(static_cast<int>(v.get_int64()));
    }
  }
  if (o->contains("ho")) {
    std::optional<std::int64_t> offset = Int(*o, "ho"), newest = Int(*o, "hn");
    if (!offset || !newest || *offset < 0) return BadCursor();
    c.hybrid = HybridPosition{*offset, *newest};
  }
  c.after = {*score, *rowid};
  return c;
}

}  // namespace rm::tools
