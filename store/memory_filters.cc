#include "store/memory_filters.h"

namespace rm::store {

std::string FiltersSql(int first) {
  const std::string type = "?" + std::to_string(first), tags = "?" + std::to_string(first + 1),
                    after = "?" + std::to_string(first + 2), before = "?" + std::to_string(first + 3);
  return "m.deleted_at IS NULL AND (" + type + " IS NULL OR m.memory_type = " + type + ") AND (" + tags +
         " IS NULL OR EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
         "(SELECT lower(value) FROM json_each(" + tags + ")))) AND (" + after + " IS NULL OR m.created_at > " +
         after + ") AND (" + before + " IS NULL OR m.created_at < " + before + ")";
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
