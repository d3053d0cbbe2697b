#include "tools/memory_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace rm::tools {
namespace json = boost::json;

std::string ToJsonText(const std::vector<std::string>& strings) {
  json::array array;
  for (const std::string& s : strings) array.emplace_back(s);
  return json::serialize(array);
}

std::vector<std::string> StringsFromJsonText(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_array()) return out;
  for (const json::value& v : parsed.get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

namespace {

json::array StringArray(std::string_view text) {
  json::array array;
  for (std::string& s : StringsFromJsonText(text)) array.emplace_back(std::move(s));
  return array;
}

json::value OrNull(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object Summary(const store::MemoryRow& m) {
  return json::object{
      {"id", m.id},
      {"title", m.title},
      {"tags", StringArray(m.tags_json)},
      {"memory_type", m.memory_type},
      {"origin", m.origin},
      {"allowed_vendors", StringArray(m.allowed_vendors_json)},
      {"author_id", m.user_id},
      {"scope", ScopeOf(m)},
      {"shared_with_org_id", OrNull(m.shared_with_org_id)},
      {"shared_with_team_id", OrNull(m.shared_with_team_id)},
      {"shared_at", OrNull(m.shared_at)},
      {"parent_memory_id", OrNull(m.parent_memory_id)},
      {"created_at", m.created_at},
      {"updated_at", m.updated_at},
      {"deleted_at", OrNull(m.deleted_at)},
  };
}

json::object StringType() { return {{"type", "string"}}; }
json::object NullableString() { return {{"type", json::array{"string", "null"}}}; }
json::object StringList() { return {{"type", "array"}, {"items", StringType()}}; }

json::object SummaryProperties() {
  return json::object{
      {"id", StringType()},
      {"title", StringType()},
      {"tags", StringList()},
      {"memory_type", {{"type", "string"}, {"enum", {"semantic", "episodic", "procedural"}}}},
      {"origin", StringType()},
      {"allowed_vendors", StringList()},
      {"author_id", StringType()},
      {"scope", {{"type", "string"}, {"enum", {"personal", "org", "team"}}}},
      {"shared_with_org_id", NullableString()},
      {"shared_with_team_id", NullableString()},
      {"shared_at", NullableString()},
      {"parent_memory_id", NullableString()},
      {"created_at", StringType()},
      {"updated_at", StringType()},
      {"deleted_at", NullableString()},
  };
}

// {"type":"object","properties":..,"required":[every property]}.
json::object ObjectWithAll(json::object properties) {
  json::array required;
  for (const auto& p : properties) required.emplace_back(p.key());
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

}  // namespace

std::string ScopeOf(const store::MemoryRow& m) {
  if (m.shared_with_team_id) return "team";
  if (m.shared_with_org_id) return "org";
  return "personal";
}

json::object MemorySummaryJson(const store::MemoryRow& m) { return Summary(m); }

json::object MemoryJson(const store::MemoryRow& m) {
  json::object o = Summary(m);
  o["content"] = m.content;
  return o;
}

json::object VersionJson(const store::VersionRow& v) {
  return json::object{
      {"version_number", v.version_number},
      {"title", v.title},
      {"content", v.content},
      {"tags", StringArray(v.tags_json)},
      {"memory_type", v.memory_type},
      {"origin", v.origin},
      {"allowed_vendors", StringArray(v.allowed_vendors_json)},
      {"created_at", v.created_at},
  };
}

json::object MemorySummarySchema() { return ObjectWithAll(SummaryProperties()); }

json::object MemorySchema() {
  json::object properties = SummaryProperties();
  properties["content"] = StringType();
  return ObjectWithAll(std::move(properties));
}

json::object VersionSchema() {
  json::object properties{
      {"version_number", {{"type", "integer"}}},
      {"title", StringType()},
      {"content", StringType()},
      {"tags", StringList()},
      {"memory_type", StringType()},
      {"origin", StringType()},
      {"allowed_vendors", StringList()},
      {"created_at", StringType()},
  };
  return ObjectWithAll(std::move(properties));
}

}  // namespace rm::tools
