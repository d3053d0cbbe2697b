// Export and import of a user's memories as JSON Lines (the CLI's `export` and
// `import`): one memory per line, every field, its versions and tags included,
// so an export imports back into an identical set of memories.
//
// A line:
//   {"id":..,"title":..,"content":..,"tags":[..],"memory_type":..,"origin":..,
//    "allowed_vendors":[..],"created_at":..,"updated_at":..,"deleted_at":null,
//    "shared_with_org_id":null,"shared_with_team_id":null,"shared_at":null,
//    "parent_memory_id":null,"versions":[{"version_number":1,"title":..,..}]}
// Parents come before their replies. Import requires title and content; other
// fields default as write_memory would (a new id, now, ["*"], "semantic", origin
// "import").
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "store/database.h"
#include "util/status.h"

namespace rm::tools {

// Writes every memory of `user_id` (trash included) to `out`, one per line, from
// one consistent snapshot. Returns how many were written.
Result<std::int64_t> ExportMemories(store::Store& db, const std::string& user_id, std::ostream& out);

// What import does with a memory shared with an org or a team. Org and team ids
// are those of the database the file came from; in another database the same
// people's org has another id.
enum class ImportSharing {
  kKeep,  // keep the ids; the user must belong to that org / team (else the line fails)
  kMine,  // share it with the user's own org / team here (the user must have one)
  kNone,  // import it unshared: a personal memory
};

struct ImportSummary {
  std::int64_t memories = 0;
  std::int64_t versions = 0;
};

// Reads JSON Lines from `in` and adds them to `user_id`'s memories in ONE
// transaction: a bad line (malformed JSON, a field that breaks a rule of SPEC §3,
// an id that exists, a parent that does not, a pool the user is not in, the plan's
// memory limit) fails the import with "line N: ..." and nothing is written.
// `progress` (may be empty) is called every 10,000 lines with the count so far.
Result<ImportSummary> ImportMemories(store::Store& db, const std::string& user_id, std::istream& in,
                                     const std::function<void(std::int64_t lines)>& progress = {},
                                     ImportSharing sharing = ImportSharing::kKeep);

}  // namespace rm::tools
