#include "bench/peers/peer_dialect.h"

#include <stdexcept>

#include <boost/json.hpp>

namespace peers {
namespace json = boost::json;
namespace {

// reflect-memory: one memory per write_memory; search_memories answers the top 10 by
// BM25 with snippets (its default page).
class ReflectDialect final : public PeerDialect {
 public:
  ToolCall Write(const Memory& m) const override {
    return {"write_memory", {{"title", m.title}, {"content", m.content}}};
  }
  void CheckWritten(const json::object& result, const Memory& m) const override {
    const json::object& stored = result.at("structuredContent").at("memory").as_object();
    if (!stored.contains("id") || stored.at("title") != json::value(m.title)) {
      throw std::runtime_error("write_memory did not answer the stored memory: " + json::serialize(stored));
    }
  }
  ToolCall Search(const std::string& term) const override { return {"search_memories", {{"term", term}}}; }
  std::vector<std::string> HitTitles(const json::object& result) const override {
    std::vector<std::string> titles;
    for (const json::value& hit : result.at("structuredContent").at("results").as_array()) {
      titles.push_back(json::value_to<std::string>(hit.at("title")));
    }
    return titles;
  }
  // Successful writes this month, counted by the server in the write's own transaction.
  ToolCall Count() const override { return {"get_usage", {}}; }
  std::int64_t Counted(const json::object& result) const override {
    return result.at("structuredContent").at("operations").at("writes").to_number<std::int64_t>();
  }
};

// The reference keeps a knowledge graph: a memory is an entity named by its title with
// the content as its one observation. search_nodes answers every entity whose name,
// type or observations contain the query (case-insensitive substring), unranked.
class ReferenceDialect final : public PeerDialect {
 public:
  ToolCall Write(const Memory& m) const override {
    json::object entity{{"name", m.title}, {"entityType", "memory"}, {"observations", json::array{json::string(m.content)}}};
    return {"create_entities", {{"entities", json::array{std::move(entity)}}}};
  }
  void CheckWritten(const json::object& result, const Memory& m) const override {
    const json::array& created = result.at("structuredContent").at("entities").as_array();
    if (created.size() != 1 || created[0].at("name") != json::value(m.title)) {
      throw std::runtime_error("create_entities did not create the entity: " + json::serialize(result));
    }
  }
  ToolCall Search(const std::string& term) const override { return {"search_nodes", {{"query", term}}}; }
  std::vector<std::string> HitTitles(const json::object& result) const override {
    std::vector<std::string> titles;
    for (const json::value& entity : result.at("structuredContent").at("entities").as_array()) {
      titles.push_back(json::value_to<std::string>(entity.at("name")));
    }
    return titles;
  }
  ToolCall Count() const override { return {"read_graph", {}}; }
  std::int64_t Counted(const json::object& result) const override {
    return static_cast<std::int64_t>(result.at("structuredContent").at("entities").as_array().size());
  }
};

}  // namespace

const PeerDialect& DialectNamed(std::string_view name) {
  static const ReflectDialect reflect;
  static const ReferenceDialect reference;
  if (name == "reflect") return reflect;
  if (name == "reference") return reference;
  throw std::runtime_error("unknown server kind '" + std::string(name) + "' (reflect or reference)");
}

}  // namespace peers
