// The live-changes feed between processes (tools/live_changes.h over store::ChangeBus):
// committed MemoryChanges as JSON text, split into payloads the bus can carry.
//
//   {"c":[{"i":ID,"b":ACCESS|null,"a":ACCESS|null}, ...]}   the changes, before/after columns
//   {"r":[ID, ...]}                                           ids only: a change too big for one
//                                                             payload; the receiver re-reads them
//   ACCESS = {"u":USER,"o":ORG|null,"t":TEAM|null,"v":ALLOWED_VENDORS_JSON,"l":LIVE}
//
// The receiver decides who may hear of each change exactly as for its own process's
// changes (store::MayRead over these columns): nothing here is a verdict.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/live_changes.h"

namespace rm::tools {

// `changes` as payloads of at most `max_payload` bytes each (as few as fit).
std::vector<std::string> EncodeChanges(const std::vector<MemoryChange>& changes, std::size_t max_payload);

struct DecodedChanges {
  std::vector<MemoryChange> changes;
  std::vector<std::string> reread;  // memory ids whose columns must be read from the store
};
// nullopt: not a payload EncodeChanges made (logged by the caller, ignored).
std::optional<DecodedChanges> DecodeChanges(std::string_view payload);

}  // namespace rm::tools
