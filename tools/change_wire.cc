#include "tools/change_wire.h"

#include <utility>

#include <boost/json.hpp>

namespace rm::tools {
namespace {
namespace json = boost::json;

json::value OptionalText(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::value AccessJson(const std::optional<store::MemoryAccess>& access) {
  if (!access) return nullptr;
  return json::object{{"u", access->user_id},
                      {"o", OptionalText(access->org_id)},
                      {"t", OptionalText(access->team_id)},
                      {"v", access->allowed_vendors_json},
                      {"l", access->live}};
}

// Throws (boost::json's exceptions) when `v` is not what AccessJson makes.
std::optional<store::MemoryAccess> AccessOf(const json::value& v, const std::string& id) {
  if (v.is_null()) return std::nullopt;
  const json::object& o = v.as_object();
  store::MemoryAccess access;
  access.id = id;
  access.user_id = std::string(o.at("u").as_string());
  if (!o.at("o").is_null()) access.org_id = std::string(o.at("o").as_string());
  if (!o.at("t").is_null()) access.team_id = std::string(o.at("t").as_string());
  access.allowed_vendors_json = std::string(o.at("v").as_string());
  access.live = o.at("l").as_bool();
  return access;
}

// Appends `item` to the array `key` of the payload being built, starting a new payload when
// it would not fit.
void Pack(std::vector<std::string>& out, std::string& current, const char* key, const std::string& item,
          std::size_t max_payload) {
  const std::string open = std::string("{\"") + key + "\":[";
  if (!current.empty() && current.size() + 1 + item.size() + 2 > max_payload) {
    out.push_back(current + "]}");
    current.clear();
  }
  current += current.empty() ? open : ",";
  current += item;
}

}  // namespace

std::vector<std::string> EncodeChanges(const std::vector<MemoryChange>& changes, std::size_t max_payload) {
  std::vector<std::string> out;
  std::string full;    // payload of whole changes being filled
  std::string reread;  // payload of ids being filled
  for (const MemoryChange& change : changes) {
    std::string item = json::serialize(
        json::object{{"i", change.memory_id}, {"b", AccessJson(change.before)}, {"a", AccessJson(change.after)}});
    if (item.size() + 8 <= max_payload) {
      Pack(out, full, "c", item, max_payload);
    } else {
      Pack(out, reread, "r", json::serialize(json::value(change.memory_id)), max_payload);
    }
  }
  if (!full.empty()) out.push_back(full + "]}");
  if (!reread.empty()) out.push_back(reread + "]}");
  return out;
}

std::optional<DecodedChanges> DecodeChanges(std::string_view payload) {
  boost::system::error_code ec;
  json::value parsed = json::parse(payload, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  DecodedChanges decoded;
  try {
    const json::object& o = parsed.get_object();
    if (const json::value* c = o.if_contains("c")) {
      for (const json::value& item : c->as_array()) {
        MemoryChange change;
        change.memory_id = std::string(item.at("i").as_string());
        change.before = AccessOf(item.at("b"), change.memory_id);
        change.after = AccessOf(item.at("a"), change.memory_id);
        decoded.changes.push_back(std::move(change));
      }
    }
    if (const json::value* r = o.if_contains("r")) {
      for (const json::value& id : r->as_array()) decoded.reread.emplace_back(id.as_string());
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return decoded;
}

}  // namespace rm::tools
