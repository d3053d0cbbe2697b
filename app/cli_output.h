// How the CLI prints results: aligned tables for people, JSON (--json) for programs.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/api_keys.h"
#include "store/orgs.h"
#include "store/users.h"

namespace rm::app {

using TableRow = std::vector<std::string>;

// Columns padded to their widest cell, two spaces apart, headers first.
void PrintTable(std::ostream& out, const TableRow& headers, const std::vector<TableRow>& rows);

// One JSON document and a newline on stdout.
void PrintJson(const boost::json::value& value);

// "-" for a missing optional value in a table.
std::string OrDash(const std::optional<std::string>& value);

// The JSON shape of each stored object: its fields by name, null when absent.
boost::json::value ToJson(const store::User& user);
boost::json::value ToJson(const store::ApiKey& key);  // never the secret: it is not stored
boost::json::value ToJson(const store::Org& org);
boost::json::value ToJson(const store::Team& team);

}  // namespace rm::app
