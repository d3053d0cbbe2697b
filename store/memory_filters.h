// The search filters of SPEC §5 (memory_type, tags any-of, created after/before) as
// SQL over the memory row aliased `m`: one clause for both lists of a hybrid search
// (the full-text check, store/search_walks.cc, and the vector path,
// store/memory_vectors.h), so both hold the same memories.
#pragma once

#include <string>

#include "store/search_repository.h"
#include "store/statement.h"

namespace rm::store {

// "m.deleted_at IS NULL AND <the filters>", reading parameters ?first..?first+3.
std::string FiltersSql(int first);

// Binds `filters` to ?first..?first+3 as FiltersSql reads them.
void BindFilters(Statement& statement, const SearchFilters& filters, int first);

}  // namespace rm::store
