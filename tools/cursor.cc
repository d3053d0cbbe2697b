#include "tools/cursor.h"

#include <bit>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace rm::tools {
namespace json = boost::json;
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string ToHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 15];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0 || hex.size() > 16384) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto hi = kHexDigits.find(hex[i]);
    auto lo = kHexDigits.find(hex[i + 1]);
    if (hi == std::string_view::npos || lo == std::string_view::npos) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Status BadCursor() {
  return Status::InvalidArgument(
      "cursor: not a cursor this list returned; pass next_cursor unchanged, or omit it to "
      "start from the first page");
}

// The object inside `cursor` if it is of `kind`.
Result<json::object> Decode(std::string_view cursor, std::string_view kind) {
  std::optional<std::string> text = FromHex(cursor);
  if (!text) return BadCursor();
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec);
  if (ec || !value.is_object()) return BadCursor();
  json::object& object = value.get_object();
  const json::value* k = object.if_contains("k");
  if (!k || !k->is_string() || k->get_string() != kind) return BadCursor();
  return std::move(object);
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

std::string EncodeListCursor(const store::ListPosition& position) {
  json::object o{{"k", "list"}, {"c", position.created_at}, {"r", position.rowid}};
  return ToHex(json::serialize(o));
}

Result<store::ListPosition> DecodeListCursor(std::string_view cursor) {
  Result<json::object> o = Decode(cursor, "list");
  if (!o.ok()) return o.status();
  const json::value* created = o->if_contains("c");
  std::optional<std::int64_t> rowid = Int(*o, "r");
  if (!created || !created->is_string() || !rowid) return BadCursor();
  return store::ListPosition{std::string(created->get_string()), *rowid};
}

std::string EncodeSearchCursor(const SearchCursor& c) {
  json::array rows;
  for (double n : c.window.phrase_rows) rows.emplace_back(Bits(n));
  json::object o{
      {"k", "search"},
      {"m", c.mode == store::MatchMode::kAll ? "all" : "any"},
      {"lo", c.window.lowest_rowid},
      {"hi", c.window.highest_rowid},
      {"n", Bits(c.window.rows)},
      {"avg", Bits(c.window.average_length)},
      {"df", std::move(rows)},
      {"s", Bits(c.after.score)},
      {"r", c.after.rowid},
  };
  return ToHex(json::serialize(o));
}

Result<SearchCursor> DecodeSearchCursor(std::string_view cursor) {
  Result<json::object> o = Decode(cursor, "search");
  if (!o.ok()) return o.status();
  SearchCursor c;
  const json::value* mode = o->if_contains("m");
  const json::value* df = o->if_contains("df");
  std::optional<std::int64_t> lo = Int(*o, "lo"), hi = Int(*o, "hi"), rowid = Int(*o, "r");
  std::optional<double> n = Double(*o, "n"), avg = Double(*o, "avg"), score = Double(*o, "s");
  if (!mode || !mode->is_string() || !df || !df->is_array() || !lo || !hi || !rowid || !n ||
      !avg || !score) {
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
  c.after = {*score, *rowid};
  return c;
}

}  // namespace rm::tools
