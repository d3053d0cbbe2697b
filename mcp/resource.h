// Resources: an interface the application implements (mcp/ knows nothing of
// what the resources are). The Session turns its answers into resources/list,
// resources/read, resources/templates/list and completion/complete results.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mcp/call_context.h"
#include "mcp/completion.h"
#include "util/status.h"

namespace mcp {

struct Resource {
  std::string uri;
  std::string name;
  std::string title;        // optional; sent from 2025-06-18 on
  std::string description;  // optional
  std::string mime_type;    // optional
};

struct ResourcePage {
  std::vector<Resource> resources;
  std::optional<std::string> next_cursor;  // opaque; absent on the last page
};

struct ResourceTemplate {
  std::string uri_template;  // RFC 6570, e.g. "memory://{id}"
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};

// One item of a resources/read result: text, or binary data when `blob` is set.
struct ResourceContents {
  std::string uri;
  std::string mime_type;
  std::string text;
  std::string blob = {};  // base64; when not empty it is sent instead of `text`
};

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;

  // One page of resources. An unknown or malformed cursor → InvalidArgument (JSON-RPC -32602).
  virtual rm::Result<ResourcePage> List(const std::optional<std::string>& cursor, CallContext& ctx) = 0;

  // The contents at `uri`. NotFound (also for resources hidden from this caller) → -32002;
  // InvalidArgument → -32602; anything else → -32603.
  virtual rm::Result<std::vector<ResourceContents>> Read(const std::string& uri, CallContext& ctx) = 0;

  // The resource templates (all of them; the Session pages them).
  virtual std::vector<ResourceTemplate> Templates() const = 0;

  // Values for `argument` of `uri_template` starting with `value`. `context` holds the
  // already-resolved arguments the client sent (2025-06-18+). Default: no suggestions.
  virtual Completion Complete(const std::string& uri_template, const std::string& argument,
                              const std::string& value,
                              const std::map<std::string, std::string>& context, CallContext& ctx);
};

}  // namespace mcp
