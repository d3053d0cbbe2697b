#include "store/memory_vectors.h"

#include <bit>
#include <cstring>

#include "store/memory_filters.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

static_assert(std::endian::native == std::endian::little,
              "memory_embeddings.vector is float32 little-endian: add a byte swap for this platform");

// Memories of ?1 needing a vector of model ?2: none, another model's, or one made
// before the memory last changed. The tags are joined in SQL (store/ has no JSON library).
constexpr std::string_view kStaleFrom =
    " FROM memories m LEFT JOIN memory_embeddings e ON e.memory_id = m.id"
    " WHERE m.user_id = ?1 AND m.deleted_at IS NULL"
    " AND (e.memory_id IS NULL OR e.model <> ?2 OR e.memory_updated_at <> m.updated_at)";

}  // namespace

std::string EmbeddingText(std::string_view title, std::string_view tags_joined, std::string_view content) {
  std::string text(title);
  if (!tags_joined.empty()) text.append("\n\ntags: ").append(tags_joined);
  text.append("\n\n").append(content);
  if (text.size() > kMaxEmbeddedBytes) {
    std::size_t end = kMaxEmbeddedBytes;  // at a UTF-8 character boundary
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
    text.resize(end);
  }
  return text;
}

Result<std::vector<MemoryToEmbed>> ListMemoriesToEmbed(Connection& conn, std::string_view user_id,
                                                       std::string_view model, int limit) {
  // The tags joined in their stored order: SQLite's group_concat is PostgreSQL's string_agg.
  const char* join = conn.engine() == Engine::kPostgres ? "string_agg" : "group_concat";
  Statement& s = conn.Prepare(std::string("SELECT m.id, m.updated_at, m.title, (SELECT coalesce(") + join +
                              "(t.value, ', '), '') FROM json_each(m.tags) AS t), m.content, e.model, e.content_hash" +
                              std::string(kStaleFrom) + " ORDER BY m.rowid LIMIT ?3");
  s.Bind(1, user_id).Bind(2, model).Bind(3, limit);
  return s.CollectRows<MemoryToEmbed>([](const Statement& row) {
    MemoryToEmbed m;
    m.memory_id = row.Text(0);
    m.memory_updated_at = row.Text(1);
    m.text = EmbeddingText(row.Text(2), row.Text(3), row.Text(4));
    m.content_hash = Sha256Hex(m.text);
    m.stored_model = row.OptionalText(5);
    m.stored_hash = row.OptionalText(6);
    return m;
  });
}

Result<std::int64_t> CountMemoriesToEmbed(Connection& conn, std::string_view user_id, std::string_view model) {
  Statement& s = conn.Prepare("SELECT count(*)" + std::string(kStaleFrom));
  s.Bind(1, user_id).Bind(2, model);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const std::int64_t count = s.Int64(0);
  s.Reset();
  return count;
}

Status UpsertVector(Connection& conn, const StoredVector& stored) {
  if (stored.vector.empty()) return Status::InvalidArgument("an embedding vector holds no value");
  Statement& s = conn.Prepare(
      "INSERT INTO memory_embeddings(memory_id, model, content_hash, memory_updated_at, dims, vector, updated_at) "
      "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM memories WHERE id = ?1) "
      "ON CONFLICT(memory_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash, "
      "memory_updated_at = excluded.memory_updated_at, dims = excluded.dims, vector = excluded.vector, "
      "updated_at = excluded.updated_at");
  s.Bind(1, stored.memory_id).Bind(2, stored.model).Bind(3, stored.content_hash).Bind(4, stored.memory_updated_at);
  s.Bind(5, static_cast<std::int64_t>(stored.vector.size())).BindBlob(6, VectorBytes(stored.vector));
  s.Bind(7, NowUtc());
  return s.Run();
}

Status MarkVectorCurrent(Connection& conn, std::string_view memory_id, std::string_view memory_updated_at) {
  return conn.Prepare("UPDATE memory_embeddings SET memory_updated_at = ?2 WHERE memory_id = ?1")
      .Bind(1, memory_id)
      .Bind(2, memory_updated_at)
      .Run();
}

Status DeleteVector(Connection& conn, std::string_view memory_id) {
  return conn.Prepare("DELETE FROM memory_embeddings WHERE memory_id = ?1").Bind(1, memory_id).Run();
}

Result<std::vector<VisibleVectorRef>> ListVisibleVectors(Connection& conn, const Viewer& viewer,
                                                         const SearchFilters& filters, std::string_view model,
                                                         std::int64_t max_rowid) {
  // ?1..?4 the viewer, ?5..?8 the filters, ?9 the model, ?10 the rowid bound. The columns of
  // e come from idx_memory_embeddings_version (migration 15), never from the row and its vector.
  Statement& s = conn.Prepare(
      "SELECT m.rowid, m.id, e.content_hash || '|' || e.updated_at FROM memories m "
      "JOIN memory_embeddings e ON e.memory_id = m.id WHERE " +
      InPoolsSql(filters.scope) + " AND " + VendorVisibleSql() + " AND " + FiltersSql(5) +
      " AND e.model = ?9 AND m.rowid <= ?10");
  BindViewer(s, viewer);
  BindFilters(s, filters, 5);
  s.Bind(9, model).Bind(10, max_rowid);
  return s.CollectRows<VisibleVectorRef>([](const Statement& row) {
    return VisibleVectorRef{row.Int64(0), row.Text(1), row.Text(2)};
  });
}

Result<std::optional<std::vector<float>>> ReadVector(Connection& conn, std::string_view memory_id,
                                                     std::string_view model, std::string_view version) {
  Statement& s = conn.Prepare(
      "SELECT vector FROM memory_embeddings WHERE memory_id = ?1 AND model = ?2 "
      "AND content_hash || '|' || updated_at = ?3");
  s.Bind(1, memory_id).Bind(2, model).Bind(3, version);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<std::vector<float>> vector;
  if (*row) vector = VectorFromBytes(s.Blob(0));
  s.Reset();
  return vector;
}

Result<std::int64_t> NewestMemoryRowid(Connection& conn) {
  Statement& s = conn.Prepare("SELECT coalesce(max(rowid), 0) FROM memories");
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const std::int64_t newest = s.Int64(0);
  s.Reset();
  return newest;
}

std::string VectorBytes(const std::vector<float>& vector) {
  std::string bytes(vector.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), vector.data(), bytes.size());
  return bytes;
}

std::vector<float> VectorFromBytes(std::string_view bytes) {
  if (bytes.size() % sizeof(float) != 0) return {};
  std::vector<float> vector(bytes.size() / sizeof(float));
  std::memcpy(vector.data(), bytes.data(), bytes.size());
  return vector;
}

}  // namespace rm::store
