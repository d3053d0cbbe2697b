// Files the CLI writes that hold secrets or every memory (an export, a client's config
// with an API key): created fresh, never through a link planted at their name, with
// exactly the permission bits asked for whatever the umask.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/status.h"

namespace rm::app {

// Creates `path` (which must not exist: O_EXCL, and O_NOFOLLOW so a symlink there is an
// error, not followed) with permission bits `mode` — set again with fchmod, since the umask
// narrows what open() gives. Returns the open descriptor; the caller closes it.
Result<int> CreateExclusiveFile(const std::string& path, mode_t mode);

// Writes `text` to `path` through a fresh temporary file beside it (CreateExclusiveFile)
// and a rename, so a reader never sees half a file and the bits are `mode` from the start.
Status WriteFileAtomically(const std::string& path, std::string_view text, mode_t mode);

}  // namespace rm::app
