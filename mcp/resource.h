// Resources: an interface the application implements (mcp/ knows nothing of
// what the resources are). The Session turns its answers into resources/list,
// resources/read, resources/templates/list and completion/complete results.
#pragma once

#include <map>
#include <memory>
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

// Live changes (subscriptions/listen, resources/subscribe): what the application tells
// one listener, once it has checked that the listener may know of each change. URIs
// only; the Session decides which of them the listener subscribed to.
struct ResourceChanges {
  std::vector<std::string> updated;  // resources that changed (or appeared, or disappeared)
  bool list_changed = false;         // the listener's resources/list is no longer what it was
};

// Implemented by the Session for each listen (and each handshake-era session that
// subscribes). Called from the application's thread; must not block.
class ResourceListener {
 public:
  virtual ~ResourceListener() = default;
  virtual void Changed(const ResourceChanges& changes) = 0;
  // The application stopped serving this listener (it fell too far behind, or its
  // credential's user is gone): the Session ends it. Nothing more comes.
  virtual void Dropped() = 0;
};

// Keeps a listener registered while held; releasing it unregisters the listener.
using ListenHandle = std::shared_ptr<void>;

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

  // --- live changes. A provider that supports them makes the Session declare
  // resources.subscribe and resources.listChanged, and serve subscriptions/listen,
  // resources/subscribe and resources/unsubscribe. Default: none.
  virtual bool SupportsListening() const { return false; }
  // Whether `uri` may be named in resourceSubscriptions / resources/subscribe (a
  // provider may accept a template as "every resource of that template").
  virtual bool Subscribable(const std::string& uri) const;
  // Whether a subscription to `subscribed` (a URI Subscribable accepted) covers `uri`.
  virtual bool Covers(const std::string& subscribed, const std::string& uri) const { return subscribed == uri; }
  // Registers `listener` for the caller of `ctx` until the handle is released. An error
  // refuses the listen (e.g. ResourceExhausted: too many listeners for this credential).
  virtual rm::Result<ListenHandle> Listen(std::shared_ptr<ResourceListener> listener, CallContext& ctx);
};

}  // namespace mcp
