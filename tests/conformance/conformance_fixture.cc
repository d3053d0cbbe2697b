#include "tests/conformance/conformance_fixture.h"

#include <chrono>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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
      json::parse(R"({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
        "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
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

}  // namespace

std::unique_ptr<mcp::ServerDefinition> MakeConformanceServer() {
  auto server = std::make_unique<mcp::ServerDefinition>();
  server->info.name = "reflect-memory-conformance-fixture";
  AddContentTools(server->tools);
  AddNotifyingTools(server->tools);
  AddClientRequestTools(server->tools);
  server->resources = std::make_shared<Resources>();
  AddPrompts(server->prompts);
  return server;
}

}  // namespace conformance
