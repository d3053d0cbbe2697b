#include "app/session_directory.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "store/mcp_sessions.h"
#include "util/clock.h"

namespace rm::app {

StoreSessionDirectory::StoreSessionDirectory(store::Store& db, std::chrono::seconds idle_timeout)
    : db_(db), idle_timeout_(idle_timeout) {}

std::string StoreSessionDirectory::IdleCutoff() const {
  return FormatUtc(std::chrono::system_clock::now() - idle_timeout_);
}

bool StoreSessionDirectory::Save(const std::string& id_hash, const Entry& entry) {
  store::McpSessionRow row;
  row.id_hash = id_hash;
  row.credential_hash = entry.credential_hash;
  row.user_id = entry.user_id;
  row.protocol_version = entry.state.protocol_version;
  row.client_name = entry.state.client_name;
  row.client_capabilities_json = boost::json::serialize(entry.state.client_capabilities);
  Status s = db_.Write([&](store::Connection& c) { return store::SaveMcpSession(c, row, NowUtc()); });
  if (!s.ok()) spdlog::error("sessions: could not save a new session, so it is refused: {}", s.ToString());
  return s.ok();
}

std::optional<StoreSessionDirectory::Entry> StoreSessionDirectory::Find(const std::string& id_hash) {
  Result<std::optional<store::McpSessionRow>> row = store::ReadValue<std::optional<store::McpSessionRow>>(
      db_, [&](store::Connection& c) { return store::FindMcpSession(c, id_hash, IdleCutoff()); });
  if (!row.ok()) {
    spdlog::error("sessions: could not look a session up: {}", row.status().ToString());
    return std::nullopt;
  }
  if (!*row) return std::nullopt;
  Entry entry;
  entry.credential_hash = (*row)->credential_hash;
  entry.user_id = (*row)->user_id;
  entry.state.protocol_version = (*row)->protocol_version;
  entry.state.client_name = (*row)->client_name;
  boost::system::error_code ec;
  boost::json::value capabilities = boost::json::parse((*row)->client_capabilities_json, ec);
  if (!ec && capabilities.is_object()) entry.state.client_capabilities = std::move(capabilities.get_object());
  return entry;
}

std::optional<bool> StoreSessionDirectory::Touch(const std::string& id_hash) {
  Result<bool> alive = store::WriteValue<bool>(
      db_, [&](store::Connection& c) { return store::TouchMcpSession(c, id_hash, NowUtc(), IdleCutoff()); });
  if (!alive.ok()) {
    spdlog::warn("sessions: could not re-check a session (kept meanwhile): {}", alive.status().ToString());
    return std::nullopt;
  }
  return *alive;
}

void StoreSessionDirectory::Remove(const std::string& id_hash) {
  Status s = db_.Write([&](store::Connection& c) { return store::DeleteMcpSession(c, id_hash).status(); });
  if (!s.ok()) spdlog::error("sessions: could not delete a session for the other processes: {}", s.ToString());
}

std::size_t StoreSessionDirectory::RemoveIdle() {
  Result<std::int64_t> removed = store::WriteValue<std::int64_t>(
      db_, [&](store::Connection& c) { return store::DeleteIdleMcpSessions(c, IdleCutoff()); });
  if (!removed.ok()) {
    spdlog::warn("sessions: could not delete idle sessions: {}", removed.status().ToString());
    return 0;
  }
  return static_cast<std::size_t>(*removed);
}

}  // namespace rm::app
