// resources/list, resources/read and resources/templates/list.
#include "mcp/json_rpc.h"
#include "mcp/methods.h"
#include "mcp/pagination.h"
#include "mcp/params.h"

namespace mcp::methods {
namespace {

namespace json = boost::json;

ResourceProvider& Provider(const Request& request) {
  // Without a provider the resources capability is not declared: the methods do not exist.
  if (!request.server.resources) {
    throw jsonrpc::Error(jsonrpc::kMethodNotFound, "this server has no resources");
  }
  return *request.server.resources;
}

// Adds the optional descriptive fields shared by resources and templates.
void AddDescription(json::object& out, const std::string& title, const std::string& description,
                    const std::string& mime_type, const RevisionFeatures& features) {
  if (features.titles && !title.empty()) out["title"] = title;
  if (!description.empty()) out["description"] = description;
  if (!mime_type.empty()) out["mimeType"] = mime_type;
}

}  // namespace

json::value ListResources(const Request& request) {
  ResourceProvider& provider = Provider(request);
  auto page = provider.List(params::OptionalString(request.params, "cursor"), request.ctx);
  if (!page.ok()) params::ThrowStatus(page.status(), jsonrpc::kInvalidParams);

  json::array listed;
  for (const Resource& r : page->resources) {
    json::object item{{"uri", r.uri}, {"name", r.name}};
    AddDescription(item, r.title, r.description, r.mime_type, request.features);
    listed.push_back(std::move(item));
  }
  json::object result{{"resources", std::move(listed)}};
  if (page->next_cursor) result["nextCursor"] = *page->next_cursor;
  return result;
}

json::value ReadResource(const Request& request) {
  ResourceProvider& provider = Provider(request);
  const std::string uri = params::RequiredString(request.params, "uri");
  auto contents = provider.Read(uri, request.ctx);
  if (!contents.ok()) {
    if (contents.status().code() == rm::Status::Code::kNotFound) {
      // The spec's example error carries the URI as data.
      throw jsonrpc::Error(jsonrpc::kResourceNotFound, "Resource not found: " + uri,
                           json::object{{"uri", uri}});
    }
    params::ThrowStatus(contents.status(), jsonrpc::kResourceNotFound);
  }
  json::array items;
  for (const ResourceContents& c : *contents) {
    json::object item{{"uri", c.uri}};
    if (c.blob.empty()) {
      item["text"] = c.text;
    } else {
      item["blob"] = c.blob;
    }
    if (!c.mime_type.empty()) item["mimeType"] = c.mime_type;
    items.push_back(std::move(item));
  }
  return json::object{{"contents", std::move(items)}};
}

json::value ListResourceTemplates(const Request& request) {
  return ListPage("resourceTemplates", Provider(request).Templates(), request.server.page_size,
                  params::OptionalString(request.params, "cursor"), [&](const ResourceTemplate& t) {
                    json::object item{{"uriTemplate", t.uri_template}, {"name", t.name}};
                    AddDescription(item, t.title, t.description, t.mime_type, request.features);
                    return item;
                  });
}

}  // namespace mcp::methods
