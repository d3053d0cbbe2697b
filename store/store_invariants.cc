#include "store/store_invariants.h"

#include <cstdint>
#include <string_view>

#include "store/usage_repository.h"

namespace rm::store {
namespace {

// Past this many findings of one rule, the rest are counted, not listed.
constexpr int kMaxListed = 20;

// A parent row that a child row names. SQLite's foreign_key_check walks its declared
// keys; these are the ones whose loss breaks what a user sees, checked the same way on
// both engines.
struct Reference {
  std::string_view child;
  std::string_view column;
  std::string_view parent;
  std::string_view parent_column;
};
constexpr Reference kReferences[] = {
    {"memory_versions", "memory_id", "memories", "id"},
    {"memory_versions", "user_id", "users", "id"},
    {"memories", "user_id", "users", "id"},
    {"memories", "parent_memory_id", "memories", "id"},
    {"memories", "shared_with_org_id", "orgs", "id"},
    {"memories", "shared_with_team_id", "teams", "id"},
    {"memory_embeddings", "memory_id", "memories", "id"},
    {"api_keys", "user_id", "users", "id"},
    {"usage_events", "user_id", "users", "id"},
    {"monthly_usage", "user_id", "users", "id"},
    {"idempotency_keys", "user_id", "users", "id"},
    {"users", "org_id", "orgs", "id"},
    {"users", "team_id", "teams", "id"},
    {"teams", "org_id", "orgs", "id"},
    {"oauth_grants", "user_id", "users", "id"},
    {"oauth_grants", "client_id", "oauth_clients", "client_id"},
    {"oauth_tokens", "grant_id", "oauth_grants", "id"},
};

void CheckSchemaVersion(Connection& conn, int expected, std::vector<std::string>& problems) {
  Statement& s = conn.Prepare("SELECT coalesce(max(version), 0), count(*), coalesce(min(version), 0) FROM schema_migrations");
  Result<bool> row = s.Step();
  if (!row.ok() || !*row) {
    problems.push_back("schema version could not be read: " + (row.ok() ? "no row" : row.status().message()));
    return;
  }
  const std::int64_t max = s.Int64(0), count = s.Int64(1), min = s.Int64(2);
  s.Reset();
  if (max != expected) {
    problems.push_back("schema version: the database records version " + std::to_string(max) +
                       ", this build's schema is version " + std::to_string(expected));
  } else if (count != max || min != 1) {
    problems.push_back("schema version: schema_migrations records " + std::to_string(count) +
                       " migrations for versions " + std::to_string(min) + ".." + std::to_string(max) +
                       " (some were never applied, or applied twice)");
  }
}

std::string Counts(const MonthUsage& u) {
  return "writes " + std::to_string(u.writes) + ", reads " + std::to_string(u.reads) + ", queries " +
         std::to_string(u.queries) + ", total_ops " + std::to_string(u.total_ops);
}

void CheckMonthlyUsage(Connection& conn, std::vector<std::string>& problems) {
  struct Row {
    std::string user_id, month;
    MonthUsage recorded;
  };
  Result<std::vector<Row>> rows =
      conn.Prepare("SELECT user_id, month, writes, reads, queries, total_ops FROM monthly_usage ORDER BY user_id, month")
          .CollectRows<Row>([](const Statement& r) {
            return Row{r.Text(0), r.Text(1), {r.Int64(2), r.Int64(3), r.Int64(4), r.Int64(5)}};
          });
  if (!rows.ok()) {
    problems.push_back("monthly_usage could not be read: " + rows.status().message());
    return;
  }
  int wrong = 0;
  std::int64_t counted_total = 0;
  for (const Row& row : *rows) {
    Result<MonthUsage> counted = CountMonthUsageEvents(conn, row.user_id, row.month);
    if (!counted.ok()) {
      problems.push_back("usage_events could not be counted: " + counted.status().message());
      return;
    }
    counted_total += counted->total_ops;
    const MonthUsage& r = row.recorded;
    const MonthUsage& c = *counted;
    if (r.writes == c.writes && r.reads == c.reads && r.queries == c.queries && r.total_ops == c.total_ops) continue;
    if (++wrong <= kMaxListed) {
      problems.push_back("monthly_usage of user " + row.user_id + " in " + row.month + " says " + Counts(r) +
                         "; its usage_events count " + Counts(c));
    }
  }
  if (wrong > kMaxListed) {
    problems.push_back("monthly_usage: " + std::to_string(wrong - kMaxListed) + " more rows disagree with usage_events");
  }
  // Events of a user and month that has no monthly_usage row at all.
  Statement& all = conn.Prepare("SELECT count(*) FROM usage_events");
  Result<bool> row = all.Step();
  if (!row.ok() || !*row) {
    problems.push_back("usage_events could not be counted: " + (row.ok() ? "no row" : row.status().message()));
    return;
  }
  const std::int64_t events = all.Int64(0);
  all.Reset();
  if (events != counted_total) {
    problems.push_back("usage_events: " + std::to_string(events - counted_total) +
                       " events belong to no monthly_usage row (a user and month never totalled)");
  }
}

void CheckVersionNumbers(Connection& conn, std::vector<std::string>& problems) {
  int found = 0;
  Status duplicates =
      conn.Prepare(
              "SELECT memory_id, version_number, count(*) FROM memory_versions "
              "GROUP BY memory_id, version_number HAVING count(*) > 1 ORDER BY memory_id, version_number")
          .ForEachRow([&](const Statement& r) {
            if (++found <= kMaxListed) {
              problems.push_back("memory_versions: memory " + r.Text(0) + " has " + r.Text(2) + " versions numbered " +
                                 r.Text(1));
            }
          });
  if (!duplicates.ok()) problems.push_back("version numbers could not be checked: " + duplicates.message());
  Status low = conn.Prepare("SELECT memory_id, version_number FROM memory_versions WHERE version_number < 1 ORDER BY memory_id")
                   .ForEachRow([&](const Statement& r) {
                     if (++found <= kMaxListed) {
                       problems.push_back("memory_versions: memory " + r.Text(0) + " has a version numbered " +
                                          r.Text(1) + " (they start at 1)");
                     }
                   });
  if (!low.ok()) problems.push_back("version numbers could not be checked: " + low.message());
  if (found > kMaxListed) {
    problems.push_back("memory_versions: " + std::to_string(found - kMaxListed) + " more version numbers are wrong");
  }
}

void CheckOrphans(Connection& conn, std::vector<std::string>& problems) {
  for (const Reference& ref : kReferences) {
    // Names from the table above, never from input: the SQL is one constant per reference.
    const std::string column = "c." + std::string(ref.column);
    const std::string sql = "SELECT count(*), min(" + column + ") FROM " + std::string(ref.child) + " c WHERE " +
                            column + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + std::string(ref.parent) +
                            " p WHERE p." + std::string(ref.parent_column) + " = " + column + ")";
    Statement& s = conn.Prepare(sql);
    Result<bool> row = s.Step();
    const std::string what = std::string(ref.child) + "." + std::string(ref.column);
    if (!row.ok() || !*row) {
      problems.push_back("orphan rows of " + what + " could not be checked: " +
                         (row.ok() ? "no row" : row.status().message()));
      continue;
    }
    const std::int64_t orphans = s.Int64(0);
    const std::string example = s.Text(1);
    s.Reset();
    if (orphans > 0) {
      problems.push_back(std::to_string(orphans) + " row(s) of " + std::string(ref.child) + " name a missing " +
                         std::string(ref.parent) + " row in " + std::string(ref.column) + " (e.g. " + example + ")");
    }
  }
}

}  // namespace

bool ChecksReference(std::string_view child, std::string_view parent) {
  for (const Reference& ref : kReferences) {
    if (ref.child == child && ref.parent == parent) return true;
  }
  return false;
}

Result<int> RecordedSchemaVersion(Connection& conn) {
  Statement& s = conn.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const int version = *row ? static_cast<int>(s.Int64(0)) : 0;
  s.Reset();
  return version;
}

void CheckStoreInvariants(Connection& conn, int expected_schema_version, std::vector<std::string>& problems) {
  CheckSchemaVersion(conn, expected_schema_version, problems);
  CheckMonthlyUsage(conn, problems);
  CheckVersionNumbers(conn, problems);
  CheckOrphans(conn, problems);
}

}  // namespace rm::store
