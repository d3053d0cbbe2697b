#include "app/cli_output.h"

#include <boost/json.hpp>

#include <algorithm>
#include <iostream>

namespace rm::app {
namespace {

boost::json::value Nullable(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace

void PrintTable(std::ostream& out, const TableRow& headers, const std::vector<TableRow>& rows) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) widths[c] = headers[c].size();
  for (const TableRow& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  auto print_row = [&](const TableRow& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out << line << "\n";
  };
  print_row(headers);
  for (const TableRow& row : rows) print_row(row);
}

void PrintJson(const boost::json::value& value) { std::cout << boost::json::serialize(value) << "\n"; }

std::string OrDash(const std::optional<std::string>& value) { return value ? *value : "-"; }

boost::json::value ToJson(const store::User& user) {
  return boost::json::object{
      {"id", user.id},
      {"email", user.email},
      {"role", user.role},
      {"plan", user.plan},
      {"org_id", Nullable(user.org_id)},
      {"org_role", Nullable(user.org_role)},
      {"team_id", Nullable(user.team_id)},
      {"created_at", user.created_at},
      {"updated_at", user.updated_at},
  };
}

boost::json::value ToJson(const store::ApiKey& key) {
  return boost::json::object{
      {"id", key.id},
      {"user_id", key.user_id},
      {"key_prefix", key.key_prefix},
      {"label", key.label},
      {"vendor", Nullable(key.vendor)},
      {"last_used_at", Nullable(key.last_used_at)},
      {"created_at", key.created_at},
      {"revoked_at", Nullable(key.revoked_at)},
  };
}

boost::json::value ToJson(const store::Org& org) {
  return boost::json::object{
      {"id", org.id},           {"name", org.name},
      {"owner_id", org.owner_id}, {"plan", org.plan},
      {"created_at", org.created_at}, {"updated_at", org.updated_at},
  };
}

boost::json::value ToJson(const store::Team& team) {
  return boost::json::object{
      {"id", team.id},
      {"org_id", team.org_id},
      {"name", team.name},
      {"created_at", team.created_at},
      {"updated_at", team.updated_at},
  };
}

}  // namespace rm::app
