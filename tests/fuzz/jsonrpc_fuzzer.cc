// Fuzz target: the JSON-RPC message path. The input is what a stdio client writes —
// messages separated by newlines — handed one by one to an mcp::Session of the real
// server (every memory tool, a real store), acting as the local owner.
//
// An input that does not start with an initialize request goes to an initialized
// session, so most inputs reach the methods behind the lifecycle (tools/call,
// resources/read, prompts/get, ...); inputs that do start with one fuzz initialize
// on a fresh session.
//
// Invariants (beyond "no crash, no sanitizer report"): every response is valid JSON,
// a JSON-RPC 2.0 response object (or a batch of them), with either a result or an error.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/json.hpp>

#include "mcp/session.h"
#include "tests/fuzz/memory_fixture.h"
#include "tests/fuzz/response_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::MemoryFixture& fixture = fuzz::MemoryFixture::Get();
  fixture.BeginInput();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // An input that initializes gets a session of its own; the others share the fixture's.
  std::unique_ptr<mcp::Session> own_session;
  const std::string_view first_line = input.substr(0, input.find('\n'));
  if (mcp::ClassifyMessage(first_line).is_initialize) {
    own_session = std::make_unique<mcp::Session>(
        fixture.server(), fixture.PrincipalOf(fuzz::Identity::kLocalOwner), fuzz::CheckNotification);
  }
  mcp::Session& session = own_session ? *own_session : fixture.SessionOf(fuzz::Identity::kLocalOwner);

  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    if (!line.empty()) {
      if (std::optional<std::string> response = session.Handle(line)) fuzz::CheckResponse(*response);
    }
    start = end + 1;
  }
  fixture.EndInput();
  return 0;
}
