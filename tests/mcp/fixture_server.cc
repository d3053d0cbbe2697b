#include "tests/mcp/fixture_server.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>

namespace fixture {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object Schema(std::string_view text) { return json::parse(text).as_object(); }

mcp::Tool MakeTool(std::string name, std::string description, std::string_view schema,
                   mcp::ToolHandler handler) {
  mcp::Tool t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = Schema(schema);
  t.handler = std::move(handler);
  return t;
}

mcp::Tool Echo() {
  mcp::Tool t;
  t.name = "echo";
  t.title = "Echo";
  t.description = "Returns its text.";
  t.input_schema = Schema(R"({
    "type": "object",
    "properties": {
      "text": {"type": "string", "minLength": 1, "maxLength": 10},
      "count": {"type": "integer", "minimum": 1, "maximum": 5},
      "mode": {"type": "string", "enum": ["plain", "loud"]},
      "tags": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 4}},
      "ratio": {"type": "number", "exclusiveMinimum": 0}
    },
    "required": ["text"],
    "additionalProperties": false
  })");
  t.output_schema = Schema(R"({"type":"object","properties":{"echo":{"type":"string"}},"required":["echo"]})");
  t.annotations.read_only_hint = true;
  t.annotations.idempotent_hint = true;
  t.annotations.title = "Echo it";
  t.handler = [](const json::object& args, mcp::CallContext&) {
    std::string text(args.at("text").as_string());
    if (auto* mode = args.if_contains("mode"); mode && *mode == "loud") {
      for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return mcp::ToolResult::Ok(json::object{{"echo", text}});
  };
  return t;
}

mcp::Tool Slow(std::shared_ptr<Observations> seen) {
  return MakeTool(
      "slow", "Waits `ms` milliseconds (default 10 s) or until cancelled.",
      R"({"type":"object","properties":{"ms":{"type":"integer","minimum":0}}})",
      [seen](const json::object& args, mcp::CallContext& ctx) {
    const auto* ms = args.if_contains("ms");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(ms ? ms->to_number<int64_t>() : 10'000);
    ++seen->slow_started;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ctx.cancelled()) {
        ++seen->slow_stopped_by_cancel;
        return mcp::ToolResult::Error("cancelled", "stopped");
      }
      std::this_thread::sleep_for(1ms);
    }
    return mcp::ToolResult::Ok(json::object{{"slept", true}});
      });
}

mcp::Tool Progress() {
  return MakeTool("progress", "Reports steps 1..3 of 3, then one step that goes backwards.",
                  R"({"type":"object"})", [](const json::object&, mcp::CallContext& ctx) {
                    for (int i = 1; i <= 3; ++i) ctx.progress(i, 3, "step " + std::to_string(i));
                    ctx.progress(2, 3, "backwards: must be dropped");
                    return mcp::ToolResult::Ok(json::object{{"steps", 3}});
                  });
}

mcp::Tool Log() {
  return MakeTool("log", "Logs one message at each level.", R"({"type":"object"})",
                  [](const json::object&, mcp::CallContext& ctx) {
                    for (auto level : {mcp::LogLevel::kDebug, mcp::LogLevel::kInfo, mcp::LogLevel::kNotice,
                                       mcp::LogLevel::kWarning, mcp::LogLevel::kError, mcp::LogLevel::kCritical,
                                       mcp::LogLevel::kAlert, mcp::LogLevel::kEmergency}) {
                      ctx.log(level, "fixture", json::string(mcp::LogLevelName(level)));
                    }
                    return mcp::ToolResult::Ok(json::object{});
                  });
}

mcp::Tool Throws() {
  return MakeTool("throws", "Always throws.", R"({"type":"object"})",
                  [](const json::object&, mcp::CallContext&) -> mcp::ToolResult {
                    throw std::runtime_error("secret detail that must not reach the client");
                  });
}

mcp::Tool CustomContent() {
  return MakeTool("custom_content", "Replaces the default content.", R"({"type":"object"})",
                  [](const json::object&, mcp::CallContext&) {
                    auto result = mcp::ToolResult::Ok(json::object{{"results", json::array{}}});
                    result.content = json::array{json::object{{"type", "text"}, {"text", "exact text"}}};
                    return result;
                  });
}

mcp::Tool WhoAmI() {
  return MakeTool("whoami", "Reports the caller as the session sees it.", R"({"type":"object"})",
                  [](const json::object&, mcp::CallContext& ctx) {
                    const auto* principal = std::any_cast<std::string>(&ctx.principal());
                    return mcp::ToolResult::Ok(json::object{{"principal", principal ? *principal : ""},
                                                            {"client", ctx.client_name()},
                                                            {"version", ctx.protocol_version()}});
                  });
}

class Resources : public mcp::ResourceProvider {
 public:
  rm::Result<mcp::ResourcePage> List(const std::optional<std::string>& cursor,
                                     mcp::CallContext&) override {
    mcp::ResourcePage page;
    if (!cursor) {
      page.resources = {Make("a"), Make("b")};
      page.next_cursor = "page-2";
    } else if (*cursor == "page-2") {
      page.resources = {Make("c")};
    } else {
      return rm::Status::InvalidArgument("unknown cursor");
    }
    return page;
  }

  rm::Result<std::vector<mcp::ResourceContents>> Read(const std::string& uri,
                                                      mcp::CallContext&) override {
    for (const char* name : {"a", "b", "c"}) {
      if (uri == std::string("test://") + name) {
        return std::vector<mcp::ResourceContents>{{uri, "text/plain", std::string("content ") + name}};
      }
    }
    if (uri == "test://broken") return rm::Status::IoError("disk on fire");
    return rm::Status::NotFound("no resource " + uri);
  }

  std::vector<mcp::ResourceTemplate> Templates() const override {
    return {{"test://{name}", "by-name", "By name", "A test resource by name", "text/plain"}};
  }

  mcp::Completion Complete(const std::string&, const std::string& argument, const std::string& value,
                           const std::map<std::string, std::string>&, mcp::CallContext&) override {
    mcp::Completion c;
    if (argument != "name") return c;
    for (const char* name : {"a", "b", "c", "apple"}) {
      if (std::string_view(name).substr(0, value.size()) == value) c.values.emplace_back(name);
    }
    return c;
  }

 private:
  static mcp::Resource Make(const std::string& name) {
    return {"test://" + name, name, "Title " + name, "Resource " + name, "text/plain"};
  }
};

mcp::Prompt Greet() {
  mcp::Prompt p;
  p.name = "greet";
  p.title = "Greet";
  p.description = "Greets someone.";
  p.arguments = {{"name", "Name", "Who to greet", true}, {"style", "", "How", false}};
  p.get = [](const mcp::PromptArguments& args, mcp::CallContext&) -> rm::Result<mcp::PromptResult> {
    if (args.at("name") == "nobody") return rm::Status::NotFound("no such person");
    auto style = args.count("style") ? args.at("style") : "plain";
    return mcp::PromptResult{"A greeting",
                             {mcp::PromptMessage::Text("user", "Greet " + args.at("name") + " (" + style + ")")}};
  };
  p.complete = [](const std::string& argument, const std::string& value,
                  const mcp::PromptArguments& context, mcp::CallContext&) {
    mcp::Completion c;
    if (argument != "style") return c;
    for (const char* style : {"formal", "friendly", "funny"}) {
      if (std::string_view(style).substr(0, value.size()) == value) c.values.emplace_back(style);
    }
    // Shows that context.arguments reached the handler.
    if (context.count("name")) c.values.push_back("for-" + context.at("name"));
    return c;
  };
  return p;
}

}  // namespace

std::unique_ptr<mcp::ServerDefinition> MakeServer(std::shared_ptr<Observations> observations,
                                                  int filler_tools) {
  auto server = std::make_unique<mcp::ServerDefinition>();
  server->info.version = "9.9.9-test";
  server->instructions = [](mcp::CallContext& ctx) {
    return "Instructions for " + ctx.client_name() + " on " + ctx.protocol_version();
  };
  server->tools.Add(Echo());
  server->tools.Add(Slow(observations));
  server->tools.Add(Progress());
  server->tools.Add(Log());
  server->tools.Add(Throws());
  server->tools.Add(CustomContent());
  server->tools.Add(WhoAmI());
  for (int i = 0; i < filler_tools; ++i) {
    server->tools.Add(MakeTool("filler_" + std::to_string(i), "Filler for pagination.", R"({"type":"object"})",
                               [](const json::object&, mcp::CallContext&) {
                                 return mcp::ToolResult::Ok(json::object{});
                               }));
  }
  server->resources = std::make_shared<Resources>();
  server->prompts.Add(Greet());
  return server;
}

}  // namespace fixture
