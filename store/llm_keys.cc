#include "store/llm_keys.h"

#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

constexpr std::string_view kColumns =
    "id, org_id, user_id, provider, model, base_url, embedding_model, key_encrypted, key_nonce, key_last4, "
    "created_by_user_id, created_at, updated_at";

LlmKeyRow RowOf(const Statement& s) {
  return LlmKeyRow{s.Text(0),          s.OptionalText(1),      s.OptionalText(2), s.Text(3),
                   s.Text(4),          s.OptionalText(5),      s.OptionalText(6), std::string(s.Blob(7)),
                   std::string(s.Blob(8)), s.Text(9),          s.OptionalText(10), s.Text(11),
                   s.Text(12)};
}

}  // namespace

Result<LlmKeyRow> PutLlmKey(Connection& conn, LlmKeyRow row) {
  Statement& existing = conn.Prepare(
      "SELECT id, created_at FROM llm_keys WHERE org_id IS NOT DISTINCT FROM ?1 AND user_id IS NOT DISTINCT FROM ?2 AND provider = ?3");
  existing.Bind(1, row.org_id).Bind(2, row.user_id).Bind(3, row.provider);
  Result<bool> found = existing.Step();
  if (!found.ok()) return found.status();
  row.updated_at = NowUtc();
  if (*found) {
    row.id = existing.Text(0);
    row.created_at = existing.Text(1);
  } else {
    row.id = NewUuid();
    row.created_at = row.updated_at;
  }
  existing.Reset();
  Statement& put = conn.Prepare(
      "INSERT INTO llm_keys(id, org_id, user_id, provider, model, base_url, key_encrypted, key_nonce, key_last4, "
      "created_by_user_id, created_at, updated_at, embedding_model) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT(id) DO UPDATE SET model = excluded.model, base_url = excluded.base_url, "
      "embedding_model = excluded.embedding_model, "
      "key_encrypted = excluded.key_encrypted, key_nonce = excluded.key_nonce, key_last4 = excluded.key_last4, "
      "created_by_user_id = excluded.created_by_user_id, updated_at = excluded.updated_at");
  put.Bind(1, row.id).Bind(2, row.org_id).Bind(3, row.user_id).Bind(4, row.provider).Bind(5, row.model);
  put.Bind(6, row.base_url).BindBlob(7, row.key_encrypted).BindBlob(8, row.key_nonce).Bind(9, row.key_last4);
  put.Bind(10, row.created_by_user_id).Bind(11, row.created_at).Bind(12, row.updated_at).Bind(13, row.embedding_model);
  RM_RETURN_IF_ERROR(put.Run());
  return row;
}

Result<std::vector<LlmKeyRow>> ListLlmKeys(Connection& conn) {
  return conn.Prepare("SELECT " + std::string(kColumns) + " FROM llm_keys ORDER BY created_at, id")
      .CollectRows<LlmKeyRow>(RowOf);
}

namespace {
// The user's own key first, else their org's (oldest first), of `provider` if given,
// with an embedding model if `for_embeddings`.
Result<std::optional<LlmKeyRow>> FirstKeyOfUserOrOrg(Connection& conn, std::string_view user_id,
                                                     const std::optional<std::string>& org_id,
                                                     const std::optional<std::string>& provider,
                                                     bool for_embeddings) {
  Statement& s = conn.Prepare("SELECT " + std::string(kColumns) +
                              " FROM llm_keys WHERE (provider = ?3 OR ?3 IS NULL) "
                              "AND (?4 = 0 OR embedding_model IS NOT NULL) "
                              "AND (user_id = ?1 OR (org_id = ?2 AND ?2 IS NOT NULL)) "
                              "ORDER BY user_id IS NULL, created_at, id LIMIT 1");
  s.Bind(1, user_id).Bind(2, org_id).Bind(3, provider).Bind(4, for_embeddings ? 1 : 0);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<LlmKeyRow> key;
  if (*row) key = RowOf(s);
  s.Reset();
  return key;
}
}  // namespace

Result<std::optional<LlmKeyRow>> FindLlmKey(Connection& conn, std::string_view user_id,
                                            const std::optional<std::string>& org_id,
                                            const std::optional<std::string>& provider) {
  return FirstKeyOfUserOrOrg(conn, user_id, org_id, provider, /*for_embeddings=*/false);
}

Result<std::optional<LlmKeyRow>> FindEmbeddingKey(Connection& conn, std::string_view user_id,
                                                  const std::optional<std::string>& org_id) {
  return FirstKeyOfUserOrOrg(conn, user_id, org_id, std::nullopt, /*for_embeddings=*/true);
}

Status RemoveLlmKey(Connection& conn, std::string_view id) {
  RM_RETURN_IF_ERROR(conn.Prepare("DELETE FROM llm_keys WHERE id = ?1").Bind(1, id).Run());
  if (conn.Changes() == 0) {
    return Status::NotFound("no LLM key with id " + std::string(id) + "; see `reflect-memory llm-key list`");
  }
  return Status::Ok();
}

}  // namespace rm::store
