#include "store/memory_filters.h"

namespace rm::store {

std::string FiltersSql(int first) {
  const std::string type = "?" + std::to_string(first), tags = "?" + std::to_string(first + 1),
                    after = "?" + std::to_string(first + 2), before = "?" + std::to_string(first + 3);
  // Each "?N IS NULL" comes after the parameter's typed use: PostgreSQL takes a
  // parameter's type from where it is first used, and "IS NULL" tells it none.
  return "m.deleted_at IS NULL AND (m.memory_type = " + type + " OR " + type + " IS NULL) AND ("
         "EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
         "(SELECT lower(value) FROM json_each(" + tags + "))) OR " + tags + " IS NULL) AND (m.created_at > " +
         after + " OR " + after + " IS NULL) AND (m.created_at < " + before + " OR " + before + " IS NULL)";
}

void BindFilters(Statement& statement, const SearchFilters& filters, int first) {
  statement.Bind(first, filters.memory_type);
  if (filters.tags_any_json.empty()) {
    statement.BindNull(first + 1);
  } else {
    statement.Bind(first + 1, filters.tags_any_json);
  }
  statement.Bind(first + 2, filters.created_after);
  statement.Bind(first + 3, filters.created_before);
}

}  // namespace rm::store
