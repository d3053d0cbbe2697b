#include "tests/fuzz/response_checks.h"

#include <cstdlib>
#include <iostream>

#include <boost/json.hpp>

#include "tests/fuzz/memory_fixture.h"

namespace fuzz {
namespace json = boost::json;

namespace {

json::value ParseOrDie(std::string_view text, std::string_view what) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  Require(!ec, what, text);
  return value;
}

// A tool error ({"isError":true}) must say what was wrong; "internal_error" and
// "io_error" mean the server failed on the input rather than refusing it: a bug.
void CheckToolError(const json::object& result, std::string_view text) {
  const json::value* structured = result.if_contains("structuredContent");
  if (structured == nullptr) return;  // ChatGPT's search/fetch shapes carry text only
  json::error_code ec;
  const json::value* code = structured->find_pointer("/error/code", ec);
  const json::value* message = structured->find_pointer("/error/message", ec);
  Require(code && code->is_string() && message && message->is_string(),
          "a tool error without {\"error\":{\"code\",\"message\"}}", text);
  Require(code->as_string() != "internal_error" && code->as_string() != "io_error",
          "a tool failed on its input instead of refusing it", text);
}

void CheckOneResponse(const json::value& value, std::string_view text) {
  const json::object* o = value.if_object();
  Require(o != nullptr, "a response is not an object", text);
  const json::value* version = o->if_contains("jsonrpc");
  Require(version && version->is_string() && version->as_string() == "2.0", "response without jsonrpc 2.0", text);
  Require(o->contains("id"), "response without an id", text);
  const json::value* result = o->if_contains("result");
  const json::value* error = o->if_contains("error");
  Require((result != nullptr) != (error != nullptr), "response needs exactly one of result and error", text);
  if (error) {
    const json::object* e = error->if_object();
    Require(e && e->contains("code") && e->at("code").is_int64() && e->contains("message") &&
                e->at("message").is_string(),
            "error without an integer code and a string message", text);
    // -32603 is what a handler that threw becomes: never an answer to bad input.
    Require(e->at("code").as_int64() != -32603, "internal error (-32603)", text);
  }
  const json::object* r = result ? result->if_object() : nullptr;
  if (r && r->contains("isError") && r->at("isError") == true) CheckToolError(*r, text);
}

}  // namespace

void InitializeSession(mcp::Session& session) {
  session.Handle(R"({"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                 R"("capabilities":{},"clientInfo":{"name":"claude-code","version":"1.0"}}})");
  session.Handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  Require(session.initialized(), "the fixture session did not initialize");
}

json::object CheckResponse(std::string_view text) {
  // RM_FUZZ_VERBOSE=1 shows what the server answered, to study an input by hand.
  static const bool verbose = std::getenv("RM_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::cerr << "response: " << text << "\n";
  json::value value = ParseOrDie(text, "a response is not valid JSON");
  if (const json::array* batch = value.if_array()) {
    Require(!batch->empty(), "an empty batch response", text);
    for (const json::value& item : *batch) CheckOneResponse(item, text);
    return {};
  }
  CheckOneResponse(value, text);
  return value.as_object();
}

void CheckNotification(std::string_view text) {
  json::value value = ParseOrDie(text, "a server notification is not valid JSON");
  const json::object* o = value.if_object();
  Require(o && o->contains("method") && o->at("method").is_string(), "a server message without a method", text);
}

void CheckToolCallResponse(const json::object& response) {
  const json::value* result = response.if_contains("result");
  if (result == nullptr) return;  // a JSON-RPC error (unknown tool, invalid arguments): checked already
  const json::object* r = result->if_object();
  Require(r && r->contains("content") && r->at("content").is_array(), "a tool result without content",
          json::serialize(response));
}

}  // namespace fuzz
