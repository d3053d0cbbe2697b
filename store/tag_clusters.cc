#include "store/tag_clusters.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "util/crypto.h"

namespace rm::store {

Result<std::vector<std::vector<std::string>>> VisibleTagSets(Connection& conn, const Viewer& viewer,
                                                             Scope scope) {
  // One row per (memory, tag), grouped by memory through the rowid order.
  const std::string sql = "SELECT m.rowid, lower(t.value) FROM memories m, json_each(m.tags) AS t WHERE " +
                          InPoolsSql(scope) + " AND m.deleted_at IS NULL AND " + VendorVisibleSql() +
                          " AND t.type = 'text' ORDER BY m.rowid";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  std::vector<std::vector<std::string>> sets;
  std::int64_t current = -1;
  Status status = s.ForEachRow([&](const Statement& row) {
    const std::int64_t rowid = row.Int64(0);
    if (rowid != current) {
      sets.emplace_back();
      current = rowid;
    }
    std::vector<std::string>& tags = sets.back();
    std::string tag = row.Text(1);
    // Tags are stored deduplicated, but only case-sensitively.
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
  });
  if (!status.ok()) return status;
  return sets;
}

std::vector<std::string> ScopePools(const Viewer& viewer, Scope scope) {
  std::vector<std::string> pools;
  if (scope == Scope::kAll || scope == Scope::kPersonal) pools.push_back("u:" + viewer.user_id);
  if ((scope == Scope::kAll || scope == Scope::kOrg) && viewer.org_id) pools.push_back("o:" + *viewer.org_id);
  if ((scope == Scope::kAll || scope == Scope::kTeam) && viewer.team_id) pools.push_back("t:" + *viewer.team_id);
  return pools;
}

Result<PoolChanges> SumPoolChanges(Connection& conn, const std::vector<std::string>& pools) {
  PoolChanges sum;
  Statement& s = conn.Prepare("SELECT added, hidden FROM tag_cluster_pool_changes WHERE pool = ?1");
  for (const std::string& pool : pools) {
    s.Reset();
    s.Bind(1, pool);
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      sum.added += s.Int64(0);
      sum.hidden += s.Int64(1);
    }
  }
  s.Reset();
  return sum;
}

std::string ClusterHash(std::vector<std::string> tags) {
  std::sort(tags.begin(), tags.end());
  std::string joined;
  for (const std::string& tag : tags) {
    if (!joined.empty()) joined += '\n';
    joined += tag;
  }
  return Sha256Hex(joined);
}

Result<std::optional<ClusterCache>> ReadClusterCache(Connection& conn, const std::string& user_id,
                                                     const std::string& scope) {
  Statement& state = conn.Prepare(
      "SELECT org_id, team_id, computed_at, added_seen, hidden_seen FROM tag_cluster_state "
      "WHERE user_id = ?1 AND scope = ?2");
  state.Bind(1, user_id).Bind(2, scope);
  Result<bool> found = state.Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ClusterCache>();
  ClusterCache cache;
  cache.state = {state.OptionalText(0), state.OptionalText(1), state.Text(2), {state.Int64(3), state.Int64(4)}};
  state.Reset();

  Statement& rows = conn.Prepare(
      "SELECT cluster_hash, name, description, tags, member_count FROM tag_cluster_cache "
      "WHERE user_id = ?1 AND scope = ?2 ORDER BY member_count DESC, name, cluster_hash");
  rows.Bind(1, user_id).Bind(2, scope);
  Status status = rows.ForEachRow([&](const Statement& row) {
    CachedCluster cluster{row.Text(0), row.Text(1), row.Text(2), {}, row.Int64(4)};
    boost::system::error_code ec;
    boost::json::value tags = boost::json::parse(row.Text(3), ec);
    if (!ec && tags.is_array()) {
      for (const auto& tag : tags.as_array()) {
        if (tag.is_string()) cluster.tags.emplace_back(tag.as_string());
      }
    }
    cache.clusters.push_back(std::move(cluster));
  });
  if (!status.ok()) return status;
  return std::optional<ClusterCache>(std::move(cache));
}

Status WriteClusterCache(Connection& conn, const std::string& user_id, const std::string& scope,
                         const ClusterCache& cache) {
  RM_RETURN_IF_ERROR(conn.Prepare("DELETE FROM tag_cluster_cache WHERE user_id = ?1 AND scope = ?2")
                         .Bind(1, user_id)
                         .Bind(2, scope)
                         .Run());
  Statement& insert = conn.Prepare(
      "INSERT INTO tag_cluster_cache(user_id, scope, cluster_hash, name, description, tags, "
      "member_count, computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  for (const CachedCluster& cluster : cache.clusters) {
    boost::json::array tags;
    for (const std::string& tag : cluster.tags) tags.emplace_back(tag);
    insert.Bind(1, user_id).Bind(2, scope).Bind(3, cluster.hash).Bind(4, cluster.name);
    insert.Bind(5, cluster.description).Bind(6, boost::json::serialize(tags));
    insert.Bind(7, cluster.member_count).Bind(8, cache.state.computed_at);
    RM_RETURN_IF_ERROR(insert.Run());
    insert.Reset();
  }
  Statement& state = conn.Prepare(
      "INSERT INTO tag_cluster_state(user_id, scope, org_id, team_id, computed_at, added_seen, hidden_seen) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(user_id, scope) DO UPDATE SET "
      "org_id = excluded.org_id, team_id = excluded.team_id, computed_at = excluded.computed_at, "
      "added_seen = excluded.added_seen, hidden_seen = excluded.hidden_seen");
  state.Bind(1, user_id).Bind(2, scope).Bind(3, cache.state.org_id).Bind(4, cache.state.team_id);
  state.Bind(5, cache.state.computed_at).Bind(6, cache.state.seen.added).Bind(7, cache.state.seen.hidden);
  return state.Run();
}

}  // namespace rm::store
