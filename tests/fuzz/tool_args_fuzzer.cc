// Fuzz target: each memory tool's argument handling, through tools/call on an
// initialized mcp::Session of the real server.
//
// Input format (text, so seeds are readable):
//   <identity> <tool name>\n<JSON arguments>
// identity: "local" (stdio local owner), "owner" (owner key over HTTP) or "agent"
// (agent key of vendor claude over HTTP); anything else means local. Strings "@m0".."@m4"
// in the arguments are replaced by the ids of the fixture's seeded memories (see
// memory_fixture.h), so inputs can read, update, share or delete real memories.
// Arguments that are not JSON are skipped: the JSON-RPC target covers unparsable text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "mcp/session.h"
#include "tests/fuzz/memory_fixture.h"
#include "tests/fuzz/response_checks.h"

namespace {

fuzz::Identity IdentityNamed(std::string_view name) {
  if (name == "owner") return fuzz::Identity::kOwnerKey;
  if (name == "agent") return fuzz::Identity::kAgentKey;
  return fuzz::Identity::kLocalOwner;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view header = input.substr(0, newline);
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos) return 0;

  boost::json::error_code ec;
  boost::json::value arguments = boost::json::parse(input.substr(newline + 1), ec);
  if (ec) return 0;

  fuzz::MemoryFixture& fixture = fuzz::MemoryFixture::Get();
  fixture.BeginInput();
  fixture.SubstitutePlaceholders(arguments);

  mcp::Session& session = fixture.SessionOf(IdentityNamed(header.substr(0, space)));
  boost::json::object request{{"jsonrpc", "2.0"},
                              {"id", 7},
                              {"method", "tools/call"},
                              {"params", {{"name", header.substr(space + 1)}, {"arguments", std::move(arguments)}}}};
  std::optional<std::string> response = session.Handle(boost::json::serialize(request));
  fuzz::Require(response.has_value(), "tools/call got no response");
  fuzz::CheckToolCallResponse(fuzz::CheckResponse(*response));
  fixture.EndInput();
  return 0;
}
