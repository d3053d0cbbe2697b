// SPEC §2: which vendor a call is made as.
#include <gtest/gtest.h>

#include "tools/principal.h"

namespace rm::tools {
namespace {

Principal Stdio() {
  Principal p;
  p.user_id = "u";
  p.transport = Principal::Transport::kStdio;
  return p;
}

TEST(ResolveCaller, AgentKeyVendorWinsOverEverything) {
  Principal p = Stdio();
  p.key_vendor = "cursor";
  p.configured_vendor = "claude";
  p.local_owner = false;
  Caller c = ResolveCaller(p, "claude-code");
  EXPECT_EQ(c.vendor, "cursor");
  EXPECT_EQ(c.origin, "cursor");
}

TEST(ResolveCaller, ConfiguredVendorOverStdio) {
  Principal p = Stdio();
  p.configured_vendor = "n8n";
  EXPECT_EQ(ResolveCaller(p, "claude-code").vendor, "n8n");
}

TEST(ResolveCaller, LocalOwnerInfersVendorFromClientName) {
  Principal p = Stdio();
  p.local_owner = true;
  EXPECT_EQ(ResolveCaller(p, "claude-ai").vendor, "claude");
  EXPECT_EQ(ResolveCaller(p, "claude-code").vendor, "claude");
  EXPECT_EQ(ResolveCaller(p, "cursor-vscode").vendor, "cursor");
  EXPECT_EQ(ResolveCaller(p, "cursor").vendor, "cursor");
  EXPECT_EQ(ResolveCaller(p, "Visual Studio Code").vendor, "copilot");
  EXPECT_EQ(ResolveCaller(p, "openai-mcp").vendor, "chatgpt");
  EXPECT_EQ(ResolveCaller(p, "ChatGPT").vendor, "chatgpt");
  EXPECT_EQ(ResolveCaller(p, "something-else").vendor, "local");
  EXPECT_EQ(ResolveCaller(p, "").vendor, "local");
}

TEST(ResolveCaller, OwnerKeyOverStdioWithoutVendorHasNoFilter) {
  Principal p = Stdio();  // a key without vendor: not the local owner
  Caller c = ResolveCaller(p, "claude-code");
  EXPECT_FALSE(c.vendor.has_value());
  EXPECT_EQ(c.origin, "api");
}

TEST(ResolveCaller, OverHttpOnlyTheKeyDecides) {
  Principal p;
  p.user_id = "u";
  p.transport = Principal::Transport::kHttp;
  p.configured_vendor = "claude";  // ignored over HTTP
  p.local_owner = true;            // ignored over HTTP
  Caller owner = ResolveCaller(p, "claude-code");
  EXPECT_FALSE(owner.vendor.has_value());
  EXPECT_EQ(owner.origin, "api");
  p.key_vendor = "chatgpt";
  EXPECT_EQ(ResolveCaller(p, "claude-code").vendor, "chatgpt");
}

}  // namespace
}  // namespace rm::tools
