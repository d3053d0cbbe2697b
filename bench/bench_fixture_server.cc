// A stdio MCP server with one read tool over an in-memory table: what the protocol
// core and the stdio transport cost on their own, without SQLite.
//
//   bench_fixture_server            then drive it with stdio_roundtrip
#include <map>
#include <string>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "mcp/server_definition.h"
#include "transports/stdio.h"

int main() {
  spdlog::set_level(spdlog::level::warn);  // per-message debug lines would dominate the figures

  // 1,000 small records the tool looks up by id.
  std::map<std::string, boost::json::object> records;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "m" + std::to_string(i);
    records[id] = {{"id", id}, {"title", "Record " + std::to_string(i)}, {"content", "Some short text."},
                   {"tags", boost::json::array{"bench", "fixture"}}};
  }

  mcp::ServerDefinition server;
  server.info.title = "Reflect Memory bench fixture";
  mcp::Tool get;
  get.name = "get_record";
  get.description = "Returns the record with this id.";
  get.input_schema = boost::json::parse(R"({"type":"object","properties":{"id":{"type":"string","minLength":1,"maxLength":64}},
                                            "required":["id"],"additionalProperties":false})")
                         .as_object();
  get.annotations.read_only_hint = true;
  get.handler = [&records](const boost::json::object& args, mcp::CallContext&) {
    auto it = records.find(std::string(args.at("id").as_string()));
    if (it == records.end()) return mcp::ToolResult::Error("not_found", "no record with this id");
    return mcp::ToolResult::Ok(it->second);
  };
  server.tools.Add(std::move(get));
  return transports::RunStdio(server, {});
}
