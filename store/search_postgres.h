// search_memories on PostgreSQL: the same request and page as SQLite's SearchMemories
// (store/search_repository.h), answered by the memories' weighted tsvector
// (search_vector, PostgreSQL migration 2) and its GIN index.
//
// What is the same: which memories may match (the SQL visibility predicate and the
// filters of memory_filters.h, in the statement's WHERE), how the query's words combine
// (BuildSearchTerms: its groups of phrases, AND within a group, OR between groups),
// keyset pages (score, rowid) without duplicates or gaps, and the snippets (made in C++
// from the same terms). What differs: the score is PostgreSQL's ts_rank over the weights
// title 1.0, tags 0.4, content 0.2 (A, B, C) rather than the BM25 with coverage and
// proximity bonuses SQLite's engine computes, and words are stemmed by PostgreSQL's
// 'english' configuration; so the order of hits can differ between the engines.
//
// Which matches are ranked is decided as on SQLite: all of them when there are at most
// K (request.candidate_limit); with more, the newest K plus every match of a word rare
// among the caller's visible memories (held by at most 64), whatever its age. The first
// page fixes that window and the cursor carries it, so later pages rank the same rows.
#pragma once

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "store/search_repository.h"
#include "util/status.h"

namespace rm::store {

Result<SearchPage> SearchMemoriesOnPostgres(Connection& conn, const Viewer& viewer, const SearchRequest& request);

}  // namespace rm::store
