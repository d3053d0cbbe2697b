// One test per bug the fuzz targets found, in the words of what a user would notice.
// (The inputs themselves are replayed from regressions/<target>/ by the replay tests.)
#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "mcp/utf8.h"
#include "transports/http/replies.h"

namespace {

// fuzz_http: an error reply quoting a Host, Origin or MCP-Protocol-Version header with
// bytes that are not UTF-8 (legal in HTTP headers) was not valid JSON, so clients
// failed to parse the 403/400 they were sent.
TEST(FuzzRegressions, HttpErrorQuotingANonUtf8HeaderIsValidJson) {
  const std::string host = "\xff" "127.0.0.1:8765";
  const transports::http::Reply reply =
      transports::http::ErrorReply(403, -32000, "Forbidden: Host '" + host + "' is not a name of this server");

  boost::json::error_code ec;
  const boost::json::value body = boost::json::parse(reply.body, ec);
  ASSERT_FALSE(ec) << reply.body;
  EXPECT_EQ(body.at("error").at("message").as_string(),
            "Forbidden: Host '\\xFF127.0.0.1:8765' is not a name of this server");
}

TEST(FuzzRegressions, HttpErrorKeepsValidUtf8AsIs) {
  const transports::http::Reply reply = transports::http::ErrorReply(400, -32000, "Origin 'https://café.example'");
  EXPECT_EQ(boost::json::parse(reply.body).at("error").at("message").as_string(), "Origin 'https://café.example'");
}

// The same bytes in a --log-json access log line (target, Mcp-Session-Id) made the line
// invalid JSON; the access log now escapes them the same way.
TEST(FuzzRegressions, EscapeIfNotUtf8KeepsUtf8AndEscapesTheRest) {
  EXPECT_EQ(mcp::EscapeIfNotUtf8("/mcp?q=café"), "/mcp?q=café");
  EXPECT_EQ(mcp::EscapeIfNotUtf8("\xff\xfe" "abc"), "\\xFF\\xFEabc");
  EXPECT_EQ(mcp::EscapeIfNotUtf8("caf\xc3"), "caf\\xC3");  // a truncated sequence
}

}  // namespace
