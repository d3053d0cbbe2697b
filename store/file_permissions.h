// Who besides its owner may read the store's files. The database, its WAL and its
// shared-memory file hold every memory and every key hash, so they are the owner's only
// (0600, in a 0700 folder) whatever the umask of the process that creates them.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace rm::store {

// Creates `folder` and any missing parents, each 0700 whatever the umask; folders that exist
// are left as they are.
Status CreatePrivateFolders(const std::string& folder);

// Creates an empty database file 0600 at `path` if nothing is there (SQLite takes an empty
// file for an empty database, and gives the -wal and -shm files it creates later the same
// mode). Anything already there is left as it is; a path that cannot be created is left for
// SQLite to report.
void CreatePrivateDatabaseFile(const std::string& path);

// What other accounts can do to the database at `path` (its -wal and -shm files too) and the
// folder holding it, each with the command that fixes it.
struct PermissionFindings {
  // A database file group/other may read or write; a folder they may write into (not sticky).
  std::vector<std::string> problems;
  // A folder group/other may list or enter: they see the files' names, sizes and times.
  std::vector<std::string> warnings;
};
PermissionFindings CheckFilePermissions(const std::string& path);

// Sets the folder holding `path` to 0700 and the database, -wal and -shm files to 0600 where
// group/other had any access; returns one line per change ("FILE: 0644 -> 0600") for the
// caller to report. Meant for the default store (~/.reflect-memory), which is ours alone.
std::vector<std::string> TightenPermissions(const std::string& path);

}  // namespace rm::store
