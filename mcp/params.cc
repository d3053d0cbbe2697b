#include "mcp/params.h"

#include "mcp/json_rpc.h"

namespace mcp::params {

namespace {
[[noreturn]] void Invalid(std::string_view where, std::string_view key, std::string_view what) {
  throw jsonrpc::Error(jsonrpc::kInvalidParams,
                       std::string(where) + "." + std::string(key) + " " + std::string(what));
}
}  // namespace

std::string RequiredString(const boost::json::object& params, std::string_view key,
                           std::string_view where) {
  auto value = OptionalString(params, key, where);
  if (!value) Invalid(where, key, "is required");
  return *std::move(value);
}

std::optional<std::string> OptionalString(const boost::json::object& params, std::string_view key,
                                          std::string_view where) {
  const boost::json::value* v = params.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) Invalid(where, key, "must be a string");
  return std::string(v->get_string());
}

const boost::json::object* OptionalObject(const boost::json::object& params, std::string_view key,
                                          std::string_view where) {
  const boost::json::value* v = params.if_contains(key);
  if (!v) return nullptr;
  if (!v->is_object()) Invalid(where, key, "must be an object");
  return &v->get_object();
}

void ThrowStatus(const rm::Status& status, int not_found_code) {
  switch (status.code()) {
    case rm::Status::Code::kInvalidArgument:
      throw jsonrpc::Error(jsonrpc::kInvalidParams, status.message());
    case rm::Status::Code::kNotFound:
      throw jsonrpc::Error(not_found_code, status.message());
    case rm::Status::Code::kCancelled:  // the client gave up: not a server failure to report
      throw jsonrpc::Error(jsonrpc::kInternalError, "Request cancelled: " + status.message());
    default:
      throw std::runtime_error(status.ToString());  // reported, answered as internal error
  }
}

}  // namespace mcp::params
