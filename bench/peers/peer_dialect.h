// How each server under comparison is asked to do the same work: store one memory,
// search, and count what it holds. Mirrored for the SDK driver in dialects.mjs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "bench/peers/corpus.h"

namespace peers {

struct ToolCall {
  std::string tool;
  boost::json::object arguments;
};

class PeerDialect {
 public:
  virtual ~PeerDialect() = default;
  virtual ToolCall Write(const Memory& memory) const = 0;
  // Throws std::runtime_error if the server did not store the memory (the reference
  // silently skips an entity whose name exists).
  virtual void CheckWritten(const boost::json::object& result, const Memory& memory) const = 0;
  virtual ToolCall Search(const std::string& term) const = 0;
  // The titles a search returned, best first where the server ranks.
  virtual std::vector<std::string> HitTitles(const boost::json::object& result) const = 0;
  // A call whose result tells how many memories were written, and that number.
  virtual ToolCall Count() const = 0;
  virtual std::int64_t Counted(const boost::json::object& result) const = 0;
};

// "reflect" (reflect-memory: write_memory / search_memories / get_usage) or
// "reference" (@modelcontextprotocol/server-memory: create_entities / search_nodes /
// read_graph). Throws std::runtime_error for another name.
const PeerDialect& DialectNamed(std::string_view name);

}  // namespace peers
