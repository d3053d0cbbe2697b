#include "tests/conformance/conformance_fixture.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "util/crypto.h"
#include "util/sealed_box.h"

namespace conformance {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A 1x1 red PNG and a minimal WAV file, base64: the suite checks the fields, not the media.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char* kWav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

json::object NoArguments() { return json::object{{"type", "object"}}; }

json::object Text(std::string_view text) { return {{"type", "text"}, {"text", text}}; }
json::object Image() { return {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}; }
json::object EmbeddedText(std::string_view uri, std::string_view mime, std::string_view text) {
  return {{"type", "resource"}, {"resource", {{"uri", uri}, {"mimeType", mime}, {"text", text}}}};
}

// A tool whose result is exactly `content` (no structured content).
mcp::ToolResult ContentResult(json::array content, bool is_error = false) {
  mcp::ToolResult result;
  result.content = std::move(content);
  result.is_error = is_error;
  return result;
}

mcp::Tool MakeTool(std::string name, std::string description, json::object schema, mcp::ToolHandler handler) {
  mcp::Tool tool;
  tool.name = std::move(name);
  tool.description = std::move(description);
  tool.input_schema = std::move(schema);
  tool.handler = std::move(handler);
  return tool;
}

void AddContentTools(mcp::ToolRegistry& tools) {
  tools.Add(MakeTool("test_simple_text", "Returns simple text content", NoArguments(), [](auto&, auto&) {
    return ContentResult({Text("This is a simple text response for testing.")});
  }));
  tools.Add(MakeTool("test_image_content", "Returns image content", NoArguments(),
                     [](auto&, auto&) { return ContentResult({Image()}); }));
  tools.Add(MakeTool("test_audio_content", "Returns audio content", NoArguments(), [](auto&, auto&) {
    return ContentResult({json::object{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}});
  }));
  tools.Add(MakeTool("test_embedded_resource", "Returns an embedded resource", NoArguments(), [](auto&, auto&) {
    return ContentResult(
        {EmbeddedText("test://embedded-resource", "text/plain", "This is an embedded resource content.")});
  }));
  tools.Add(MakeTool("test_multiple_content_types", "Returns text, image and resource content", NoArguments(),
                     [](auto&, auto&) {
                       return ContentResult({Text("Multiple content types test:"), Image(),
                                             EmbeddedText("test://mixed-content-resource", "application/json",
                                                          R"({"test":"data","value":123})")});
                     }));
  tools.Add(MakeTool("test_error_handling", "Returns a tool error", NoArguments(), [](auto&, auto&) {
    return ContentResult({Text("This tool intentionally returns an error for testing")}, /*is_error=*/true);
  }));
  tools.Add(MakeTool(
      "json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
      // The 0.2.0 suite's schema (SEP-2106 adds $anchor, allOf/anyOf, if/then/else to
      // what 0.1.16 checks); mcp/schema_validator ignores the keywords it does not know.
      json::parse(R"({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"address": {"$anchor": "addressDef", "type": "object",
                              "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
        "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"},
                       "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                       "phone": {"type": "string"}, "email": {"type": "string"}},
        "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
        "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
        "then": {"required": ["phone"]},
        "else": {"required": ["email"]},
        "additionalProperties": false
      })").as_object(),
      [](auto&, auto&) { return ContentResult({Text("ok")}); }));
}

void AddNotifyingTools(mcp::ToolRegistry& tools) {
  tools.Add(MakeTool("test_tool_with_logging", "Logs three messages while it runs", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       ctx.log(mcp::LogLevel::kInfo, "conformance", "Tool execution started");
                       std::this_thread::sleep_for(50ms);
                       ctx.log(mcp::LogLevel::kInfo, "conformance", "Tool processing data");
                       std::this_thread::sleep_for(50ms);
                       ctx.log(mcp::LogLevel::kInfo, "conformance", "Tool execution completed");
                       return ContentResult({Text("Tool with logging executed successfully")});
                     }));
  tools.Add(MakeTool("test_tool_with_progress", "Reports progress 0, 50, 100 of 100", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       for (int step : {0, 50, 100}) {
                         ctx.progress(step, 100, "Completed step " + std::to_string(step) + " of 100");
                         if (step < 100) std::this_thread::sleep_for(50ms);
                       }
                       return ContentResult({Text("progress reported")});
                     }));
  // The reference server closes the request's stream mid-call to test resumption; this
  // server does not offer resumable streams, so the result simply arrives after a pause.
  tools.Add(MakeTool("test_reconnection", "Answers after a short pause", NoArguments(), [](auto&, auto&) {
    std::this_thread::sleep_for(100ms);
    return ContentResult({Text("Reconnection test completed successfully.")});
  }));
}

// Tools that ask the client something (sampling, elicitation) and report its answer.
constexpr auto kClientTimeout = std::chrono::seconds(30);

std::string AnswerText(const rm::Result<json::value>& answer) {
  return answer.ok() ? json::serialize(*answer) : "the client could not answer: " + answer.status().message();
}

// A tool that shows the user a form (elicitation/create) and reports what they did with it.
// The message comes from the "message" argument when there is one.
mcp::Tool ElicitationTool(std::string name, json::object input_schema, std::string default_message,
                          json::object requested_schema) {
  return MakeTool(std::move(name), "Asks the user to fill in a form", std::move(input_schema),
                  [default_message = std::move(default_message), requested_schema = std::move(requested_schema)](
                      const json::object& args, mcp::CallContext& ctx) {
                    const json::value* message = args.if_contains("message");
                    auto answer = ctx.request(
                        "elicitation/create",
                        json::object{{"message", message ? message->get_string() : json::string(default_message)},
                                     {"requestedSchema", requested_schema}},
                        kClientTimeout);
                    if (!answer.ok()) return ContentResult({Text(AnswerText(answer))}, true);
                    const json::object& result = answer->as_object();
                    const json::value* action = result.if_contains("action");
                    const json::value* content = result.if_contains("content");
                    return ContentResult({Text("User response: action=" + (action ? json::serialize(*action) : "?") +
                                               ", content=" + (content ? json::serialize(*content) : "{}"))});
                  });
}

void AddClientRequestTools(mcp::ToolRegistry& tools) {
  tools.Add(MakeTool(
      "test_sampling", "Asks the client's model to complete a prompt",
      json::parse(R"({"type":"object","properties":{"prompt":{"type":"string"}},"required":["prompt"]})").as_object(),
      [](const json::object& args, mcp::CallContext& ctx) {
        auto answer = ctx.request(
            "sampling/createMessage",
            json::object{{"messages", json::array{json::object{{"role", "user"}, {"content", Text(args.at("prompt").as_string())}}}},
                         {"maxTokens", 100}},
            kClientTimeout);
        std::string text = AnswerText(answer);
        if (answer.ok()) {
          if (const auto* content = answer->as_object().if_contains("content"); content && content->is_object()) {
            if (const auto* t = content->get_object().if_contains("text"); t && t->is_string()) text = t->get_string();
          }
        }
        return ContentResult({Text("LLM response: " + text)}, !answer.ok());
      }));

  tools.Add(ElicitationTool(
      "test_elicitation",
      json::parse(R"({"type":"object","properties":{"message":{"type":"string"}},"required":["message"]})").as_object(),
      "", json::parse(R"({"type":"object","properties":{
          "username":{"type":"string","description":"User's response"},
          "email":{"type":"string","description":"User's email address"}},
        "required":["username","email"]})").as_object()));
  tools.Add(ElicitationTool(
      "test_elicitation_sep1034_defaults", NoArguments(), "Please review and update the form fields with defaults",
      json::parse(R"({"type":"object","properties":{
          "name":{"type":"string","description":"User name","default":"John Doe"},
          "age":{"type":"integer","description":"User age","default":30},
          "score":{"type":"number","description":"User score","default":95.5},
          "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
          "verified":{"type":"boolean","description":"Verification status","default":true}},
        "required":[]})").as_object()));
  tools.Add(ElicitationTool(
      "test_elicitation_sep1330_enums", NoArguments(), "Please pick from each kind of list",
      json::parse(R"({"type":"object","properties":{
          "untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
          "titledSingle":{"type":"string","oneOf":[{"const":"value1","title":"First Option"},
            {"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
          "legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
          "untitledMulti":{"type":"array","items":{"type":"string","enum":["option1","option2","option3"]}},
          "titledMulti":{"type":"array","items":{"anyOf":[{"const":"value1","title":"First Choice"},
            {"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
        "required":[]})").as_object()));
}

class Resources : public mcp::ResourceProvider {
 public:
  rm::Result<mcp::ResourcePage> List(const std::optional<std::string>&, mcp::CallContext&) override {
    mcp::ResourcePage page;
    page.resources = {
        {"test://static-text", "static-text", "Static text", "A static text resource", "text/plain"},
        {"test://static-binary", "static-binary", "Static binary", "A static binary resource", "image/png"},
        {"test://watched-resource", "watched-resource", "Watched", "A resource clients may subscribe to",
         "text/plain"}};
    return page;
  }

  rm::Result<std::vector<mcp::ResourceContents>> Read(const std::string& uri, mcp::CallContext&) override {
    if (uri == "test://static-text") {
      return std::vector<mcp::ResourceContents>{
          {uri, "text/plain", "This is the content of the static text resource."}};
    }
    if (uri == "test://static-binary") {
      mcp::ResourceContents png{uri, "image/png", ""};
      png.blob = kPng;
      return std::vector<mcp::ResourceContents>{png};
    }
    if (uri == "test://watched-resource") {
      return std::vector<mcp::ResourceContents>{{uri, "text/plain", "Watched resource content"}};
    }
    constexpr std::string_view kPrefix = "test://template/";
    constexpr std::string_view kSuffix = "/data";
    if (uri.starts_with(kPrefix) && uri.ends_with(kSuffix) && uri.size() > kPrefix.size() + kSuffix.size()) {
      const std::string id = uri.substr(kPrefix.size(), uri.size() - kPrefix.size() - kSuffix.size());
      return std::vector<mcp::ResourceContents>{
          {uri, "application/json",
           json::serialize(json::object{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}})}};
    }
    return rm::Status::NotFound("no resource " + uri);
  }

  std::vector<mcp::ResourceTemplate> Templates() const override {
    return {{"test://template/{id}/data", "template", "Template", "Data by id", "application/json"}};
  }
};

mcp::Prompt MakePrompt(std::string name, std::string description, std::vector<mcp::PromptArgument> arguments,
                       std::function<std::vector<mcp::PromptMessage>(const mcp::PromptArguments&)> messages) {
  mcp::Prompt prompt;
  prompt.name = std::move(name);
  prompt.description = std::move(description);
  prompt.arguments = std::move(arguments);
  prompt.get = [messages = std::move(messages)](const mcp::PromptArguments& args,
                                                mcp::CallContext&) -> rm::Result<mcp::PromptResult> {
    return mcp::PromptResult{"", messages(args)};
  };
  return prompt;
}

void AddPrompts(mcp::PromptRegistry& prompts) {
  prompts.Add(MakePrompt("test_simple_prompt", "A prompt without arguments", {}, [](const auto&) {
    return std::vector<mcp::PromptMessage>{mcp::PromptMessage::Text("user", "This is a simple prompt for testing.")};
  }));

  mcp::Prompt with_arguments = MakePrompt(
      "test_prompt_with_arguments", "A prompt with two arguments",
      {{"arg1", "", "First test argument", true}, {"arg2", "", "Second test argument", true}}, [](const auto& args) {
        return std::vector<mcp::PromptMessage>{mcp::PromptMessage::Text(
            "user", "Prompt with arguments: arg1='" + args.at("arg1") + "', arg2='" + args.at("arg2") + "'")};
      });
  with_arguments.complete = [](const std::string&, const std::string& value, const mcp::PromptArguments&,
                               mcp::CallContext&) {
    mcp::Completion completion;
    for (const char* word : {"paris", "park", "party", "test", "testing"}) {
      if (std::string_view(word).starts_with(value)) completion.values.emplace_back(word);
    }
    return completion;
  };
  prompts.Add(std::move(with_arguments));

  prompts.Add(MakePrompt("test_prompt_with_embedded_resource", "A prompt embedding a resource",
                         {{"resourceUri", "", "URI of the resource to embed", true}}, [](const auto& args) {
                           return std::vector<mcp::PromptMessage>{
                               {"user", EmbeddedText(args.at("resourceUri"), "text/plain",
                                                     "Embedded resource content for testing.")},
                               mcp::PromptMessage::Text("user", "Please process the embedded resource above.")};
                         }));
  prompts.Add(MakePrompt("test_prompt_with_image", "A prompt with an image", {}, [](const auto&) {
    return std::vector<mcp::PromptMessage>{{"user", Image()},
                                           mcp::PromptMessage::Text("user", "Please analyze the image above.")};
  }));
}


// ---- Revision 2026-07-28: input_required results (SEP-2322) and required capabilities ----
//
// A modern request cannot be sent requests, so these tools and the prompt ask through an
// input_required result and read the answers from the retry (CallContext::input_responses).
// A retry that lacks an answer is asked again (an input_required result, not an error);
// extra answers are ignored; malformed ones never reach a handler (mcp/ answers -32602).

json::object Elicit(std::string_view message, std::string_view field, std::string_view type) {
  return {{"method", "elicitation/create"},
          {"params",
           {{"message", message},
            {"requestedSchema",
             {{"type", "object"}, {"properties", {{field, {{"type", type}}}}}, {"required", json::array{field}}}}}}};
}

json::object Sample(std::string_view prompt, int max_tokens) {
  return {{"method", "sampling/createMessage"},
          {"params", {{"messages", json::array{json::object{{"role", "user"}, {"content", Text(prompt)}}}},
                      {"maxTokens", max_tokens}}}};
}

json::object ListRoots() { return {{"method", "roots/list"}, {"params", json::object{}}}; }

// content[field] of an accepted form answered under `key`; null when there is none.
const json::value* Accepted(const json::object& answers, std::string_view key, std::string_view field) {
  const json::value* answer = answers.if_contains(key);
  if (answer == nullptr || !answer->is_object()) return nullptr;
  const json::value* action = answer->get_object().if_contains("action");
  const json::value* content = answer->get_object().if_contains("content");
  if (action == nullptr || *action != "accept" || content == nullptr || !content->is_object()) return nullptr;
  return content->get_object().if_contains(field);
}

std::optional<std::string> AcceptedString(const json::object& answers, std::string_view key, std::string_view field) {
  const json::value* value = Accepted(answers, key, field);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

// True when the person declined or cancelled the form asked under `key`.
bool Refused(const json::object& answers, std::string_view key) {
  const json::value* answer = answers.if_contains(key);
  const json::value* action = answer && answer->is_object() ? answer->get_object().if_contains("action") : nullptr;
  return action != nullptr && (*action == "decline" || *action == "cancel");
}

// The text of a sampling result answered under `key`.
std::optional<std::string> SampledText(const json::object& answers, std::string_view key) {
  const json::value* answer = answers.if_contains(key);
  const json::value* content = answer && answer->is_object() ? answer->get_object().if_contains("content") : nullptr;
  const json::value* text = content && content->is_object() ? content->get_object().if_contains("text") : nullptr;
  if (text == nullptr || !text->is_string()) return std::nullopt;
  return std::string(text->get_string());
}

// The root URIs of a roots/list result answered under `key`, comma-separated.
std::optional<std::string> RootUris(const json::object& answers, std::string_view key) {
  const json::value* answer = answers.if_contains(key);
  const json::value* roots = answer && answer->is_object() ? answer->get_object().if_contains("roots") : nullptr;
  if (roots == nullptr || !roots->is_array()) return std::nullopt;
  std::string uris;
  for (const json::value& root : roots->get_array()) {
    const json::value* uri = root.is_object() ? root.get_object().if_contains("uri") : nullptr;
    if (uri == nullptr || !uri->is_string()) return std::nullopt;
    uris += (uris.empty() ? "" : ", ") + std::string(uri->get_string());
  }
  return uris.empty() ? "(none)" : uris;
}

// The requestState of these tools: JSON sealed with a SealedBox under a secret drawn at
// start-up, bound to the tool's name. The client can neither read nor alter it; a state
// that does not open (tampered, truncated, another tool's, another run's) is -32602.
// (The product's states also bind the caller and the arguments, expire, and are spent
// once: tools/request_state.h. The fixture has one caller and no arguments.)
class StateSeal {
 public:
  StateSeal() : box_(*rm::SealedBox::FromHexSecret(rm::RandomHex(32))) {}

  std::string Seal(std::string_view tool, const json::object& state) const {
    return box_.Seal(json::serialize(state), Context(tool));
  }

  // The state the retry echoed; nullopt when it sent none (then it is a first call).
  std::optional<json::object> Open(std::string_view tool, const mcp::CallContext& ctx) const {
    if (!ctx.request_state()) return std::nullopt;
    std::optional<std::string> plain = box_.Open(*ctx.request_state(), Context(tool));
    if (!plain) {
      throw mcp::jsonrpc::Error(mcp::jsonrpc::kInvalidParams,
                                "params.requestState was not issued by this server for " + std::string(tool) +
                                    " (altered or foreign); call again without it");
    }
    return json::parse(*plain).as_object();
  }

 private:
  static std::string Context(std::string_view tool) { return "conformance-fixture/" + std::string(tool); }
  rm::SealedBox box_;
};

void AddInputRequiredTools(mcp::ToolRegistry& tools, std::shared_ptr<const StateSeal> seal) {
  tools.Add(MakeTool("test_input_required_result_elicitation", "Asks the user's name, then greets them",
                     NoArguments(), [](const json::object&, mcp::CallContext& ctx) {
                       ctx.RequireClientCapability("elicitation");
                       const json::object& answers = ctx.input_responses();
                       if (Refused(answers, "user_name")) return ContentResult({Text("Hello, stranger!")});
                       if (auto name = AcceptedString(answers, "user_name", "name")) {
                         return ContentResult({Text("Hello, " + *name + "!")});
                       }
                       return mcp::ToolResult::NeedsInput(
                           {{"user_name", Elicit("What is your name?", "name", "string")}}, "");
                     }));
  tools.Add(MakeTool("test_input_required_result_sampling", "Asks the client's model a question", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       ctx.RequireClientCapability("sampling");
                       if (auto text = SampledText(ctx.input_responses(), "capital_question")) {
                         return ContentResult({Text("LLM response: " + *text)});
                       }
                       return mcp::ToolResult::NeedsInput(
                           {{"capital_question", Sample("What is the capital of France?", 100)}}, "");
                     }));
  tools.Add(MakeTool("test_input_required_result_list_roots", "Asks the client for its roots", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       ctx.RequireClientCapability("roots");
                       if (auto uris = RootUris(ctx.input_responses(), "client_roots")) {
                         return ContentResult({Text("Client roots: " + *uris)});
                       }
                       return mcp::ToolResult::NeedsInput({{"client_roots", ListRoots()}}, "");
                     }));

  // Asks for a confirmation and carries a sealed state; the retry must echo the state.
  // Shared by the request-state and tampered-state scenarios.
  auto confirming = [seal](std::string name, std::string done) {
    return MakeTool(name, "Asks for a confirmation, carrying a sealed requestState", NoArguments(),
                    [seal, name, done](const json::object&, mcp::CallContext& ctx) {
                      ctx.RequireClientCapability("elicitation");
                      std::optional<json::object> state = seal->Open(name, ctx);  // -32602 if tampered
                      if (state && (Accepted(ctx.input_responses(), "confirm", "ok") ||
                                    Refused(ctx.input_responses(), "confirm"))) {
                        const json::value* ok = Accepted(ctx.input_responses(), "confirm", "ok");
                        return ContentResult({Text(done + ": the requestState " + json::serialize(*state) +
                                                   " verified; confirmed=" + (ok ? json::serialize(*ok) : "no"))});
                      }
                      return mcp::ToolResult::NeedsInput({{"confirm", Elicit("Please confirm", "ok", "boolean")}},
                                                         seal->Seal(name, {{"step", "confirm"}}));
                    });
  };
  tools.Add(confirming("test_input_required_result_request_state", "state-ok"));
  tools.Add(confirming("test_input_required_result_tampered_state", "state-verified"));

  // Three questions at once; a retry answering only some is asked the rest.
  tools.Add(MakeTool(
      "test_input_required_result_multiple_inputs", "Asks a form, the model and the roots at once", NoArguments(),
      [seal](const json::object&, mcp::CallContext& ctx) {
        constexpr std::string_view kName = "test_input_required_result_multiple_inputs";
        for (const char* capability : {"elicitation", "sampling", "roots"}) ctx.RequireClientCapability(capability);
        const json::object& answers = ctx.input_responses();
        std::optional<json::object> state = seal->Open(kName, ctx);
        std::optional<std::string> name = AcceptedString(answers, "user_name", "name");
        std::optional<std::string> greeting = SampledText(answers, "greeting");
        std::optional<std::string> roots = RootUris(answers, "client_roots");
        if (state && name && greeting && roots) {
          return ContentResult({Text("name=" + *name + "; greeting=" + *greeting + "; roots=" + *roots)});
        }
        json::object ask;
        if (!state || !name) ask["user_name"] = Elicit("What is your name?", "name", "string");
        if (!state || !greeting) ask["greeting"] = Sample("Generate a greeting", 50);
        if (!state || !roots) ask["client_roots"] = ListRoots();
        return mcp::ToolResult::NeedsInput(std::move(ask), seal->Seal(kName, {{"step", "all"}}));
      }));

  // Two rounds: the name, then a colour; the state says which round the retry answers.
  tools.Add(MakeTool(
      "test_input_required_result_multi_round", "Asks a name, then a favourite colour", NoArguments(),
      [seal](const json::object&, mcp::CallContext& ctx) {
        constexpr std::string_view kName = "test_input_required_result_multi_round";
        ctx.RequireClientCapability("elicitation");
        const json::object& answers = ctx.input_responses();
        std::optional<json::object> state = seal->Open(kName, ctx);
        auto step1 = [&] {
          return mcp::ToolResult::NeedsInput({{"step1", Elicit("Step 1: What is your name?", "name", "string")}},
                                             seal->Seal(kName, {{"round", 1}}));
        };
        auto step2 = [&](const std::string& name) {
          return mcp::ToolResult::NeedsInput(
              {{"step2", Elicit("Step 2: What is your favorite color?", "color", "string")}},
              seal->Seal(kName, {{"round", 2}, {"name", name}}));
        };
        if (!state) return step1();
        const json::value* round = state->if_contains("round");
        if (round && *round == 2) {
          const std::string name(state->at("name").as_string());
          if (auto color = AcceptedString(answers, "step2", "color")) {
            return ContentResult({Text(name + "'s favorite color is " + *color + ".")});
          }
          return step2(name);
        }
        if (auto name = AcceptedString(answers, "step1", "name")) return step2(*name);
        return step1();
      }));

  // Asks only what the request's capabilities allow (SEP-2322: never an input request
  // for an undeclared capability); with none declared there is nothing to ask.
  tools.Add(MakeTool(
      "test_input_required_result_capabilities", "Asks whatever the client declared it can answer", NoArguments(),
      [](const json::object&, mcp::CallContext& ctx) {
        const json::object& declared = ctx.client_capabilities();
        const json::object& answers = ctx.input_responses();
        if (!answers.empty()) {
          return ContentResult({Text("answered: " + json::serialize(answers))});
        }
        json::object ask;
        if (declared.contains("elicitation")) ask["user_name"] = Elicit("What is your name?", "name", "string");
        if (declared.contains("sampling")) ask["greeting"] = Sample("Generate a greeting", 50);
        if (declared.contains("roots")) ask["client_roots"] = ListRoots();
        if (ask.empty()) return ContentResult({Text("the client declared nothing this tool could ask")});
        return mcp::ToolResult::NeedsInput(std::move(ask), "");
      }));

  // Works only by sampling: without the capability, -32021 naming it (server-stateless).
  tools.Add(MakeTool("test_missing_capability", "Needs the client's sampling capability", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       ctx.RequireClientCapability("sampling");
                       if (auto text = SampledText(ctx.input_responses(), "answer")) {
                         return ContentResult({Text("LLM response: " + *text)});
                       }
                       return mcp::ToolResult::NeedsInput({{"answer", Sample("Say hello", 20)}}, "");
                     }));
  // server-stateless reads this tool's response stream: it must hold no request to the
  // client, only the input_required result (the 2026-07-28 form of an elicitation).
  tools.Add(MakeTool("test_streaming_elicitation", "Asks the user a question the 2026-07-28 way", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       ctx.RequireClientCapability("elicitation");
                       if (auto answer = AcceptedString(ctx.input_responses(), "question", "answer")) {
                         return ContentResult({Text("User answered: " + *answer)});
                       }
                       return mcp::ToolResult::NeedsInput(
                           {{"question", Elicit("Anything to add?", "answer", "string")}}, "");
                     }));
  // server-stateless: without _meta logLevel these messages must not be sent.
  tools.Add(MakeTool("test_logging_tool", "Logs three messages while it runs", NoArguments(),
                     [](const json::object&, mcp::CallContext& ctx) {
                       for (const char* step : {"started", "processing", "completed"}) {
                         ctx.log(mcp::LogLevel::kInfo, "conformance", json::string(std::string("Logging tool ") + step));
                       }
                       return ContentResult({Text("Logging tool done")});
                     }));
}

// prompts/get may answer input_required too (input-required-result-non-tool-request).
void AddInputRequiredPrompt(mcp::PromptRegistry& prompts) {
  mcp::Prompt prompt;
  prompt.name = "test_input_required_result_prompt";
  prompt.description = "Asks the user for context before it is filled in";
  prompt.get = [](const mcp::PromptArguments&, mcp::CallContext& ctx) -> rm::Result<mcp::PromptResult> {
    ctx.RequireClientCapability("elicitation");
    if (auto context = AcceptedString(ctx.input_responses(), "user_context", "context")) {
      return mcp::PromptResult{"A prompt filled in with the user's context",
                               {mcp::PromptMessage::Text("user", "Use this context: " + *context)}};
    }
    return mcp::PromptResult::NeedsInput(
        {{"user_context", Elicit("What context should the prompt use?", "context", "string")}}, "");
  };
  prompts.Add(std::move(prompt));
}

}  // namespace

std::unique_ptr<mcp::ServerDefinition> MakeConformanceServer() {
  auto server = std::make_unique<mcp::ServerDefinition>();
  server->info.name = "reflect-memory-conformance-fixture";
  AddContentTools(server->tools);
  AddNotifyingTools(server->tools);
  AddClientRequestTools(server->tools);
  server->resources = std::make_shared<Resources>();
  AddPrompts(server->prompts);
  AddInputRequiredTools(server->tools, std::make_shared<const StateSeal>());
  AddInputRequiredPrompt(server->prompts);
  return server;
}

}  // namespace conformance
