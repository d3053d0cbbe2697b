// Sealed request state for multi-round-trip results (SEP-2322, protocol 2026-07-28).
//
// A tool that answers input_required hands the client a requestState and trusts it
// when the client retries, so the state must be something the client can neither
// read, forge, move to another call, keep for later, nor use twice:
//   - sealed with util/SealedBox (AES-256-GCM) under a secret kept in the store, so
//     every process serving the store opens the others' states;
//   - bound (the SealedBox context, authenticated but not carried) to the tool, the
//     user, the vendor and a digest of the arguments: a state for another memory,
//     user, key or tool does not open;
//   - carrying its expiry (unix seconds) and a random id inside the plaintext;
//   - used once: the transaction that acts on it records its id
//     (store/used_request_states.h) and a second use fails there.
//
// Rotation: the secret belongs to a generation, floor(now / rotation period), and
// is named "request_state.<generation>". States are sealed under the current
// generation's secret and name their generation in clear ("<generation>.<sealed>");
// the current and the previous generation open, older ones are refused and their
// secrets deleted when a new generation's secret is made. Since a state lives
// (ttl) much less than a period, a live state always opens across a rotation.
// Every process derives the generation from the clock, so none has to be told.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "store/database.h"
#include "util/sealed_box.h"
#include "util/status.h"

namespace rm::tools {

struct RequestStateOptions {
  // How long a state may be used after it was issued.
  std::chrono::seconds ttl = std::chrono::minutes(10);
  // How often the sealing secret changes (at least 2 * ttl; raised to that if less).
  std::chrono::seconds rotation_period = std::chrono::hours(24 * 7);
  // Unix seconds now; empty: the system clock. Tests move time with it.
  std::function<std::int64_t()> clock;
};

// What a state is bound to. `request` is a digest of the tool's arguments
// (tools::RequestFingerprint, which also covers the tool and the vendor).
struct RequestStateBinding {
  std::string tool;
  std::string user_id;
  std::optional<std::string> vendor;
  std::string request;
};

// An opened state.
struct RequestState {
  std::string id;          // 32 hex characters, random
  std::int64_t expires_at;  // unix seconds
};

// Why a state was refused; each with a message a person or model can act on.
enum class RequestStateProblem { kInvalid, kExpired };
struct RequestStateRefusal {
  RequestStateProblem problem;
  std::string message;
};

class RequestStates {
 public:
  RequestStates(store::Store& db, RequestStateOptions options);

  // A new state for `binding`, valid for ttl from now. Fails only if the store does.
  Result<std::string> Seal(const RequestStateBinding& binding);

  // The state in `token` if it was sealed for `binding`, is unexpired and was sealed
  // under the current or the previous generation's secret. Whether it was used
  // already is for Consume to say.
  // Outer Result: the store failed; inner: the state or why it is refused.
  struct Opened {
    std::optional<RequestState> state;
    RequestStateRefusal refusal{RequestStateProblem::kInvalid, {}};
  };
  Result<Opened> Open(std::string_view token, const RequestStateBinding& binding);

  // Marks `state` used, inside the write transaction that acts on it (a used
  // state: FailedPrecondition, and the transaction should roll back).
  Status Consume(store::Connection& conn, const RequestState& state) const;

  std::int64_t Now() const;
  std::int64_t GenerationAt(std::int64_t unix_seconds) const;
  // The store name of a generation's secret.
  static std::string SecretName(std::int64_t generation);

 private:
  // The box of `generation`; nullopt if its secret does not exist and `create` is
  // false. Creating the current generation's secret retires all but it and the previous.
  Result<std::optional<const SealedBox*>> BoxOf(std::int64_t generation, bool create);

  store::Store& db_;
  RequestStateOptions options_;
  std::mutex mutex_;
  std::map<std::int64_t, SealedBox> boxes_;  // by generation; only the live two kept
};

}  // namespace rm::tools
