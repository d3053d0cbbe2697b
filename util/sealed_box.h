// SealedBox: authenticated encryption of small tokens a client holds for us and
// hands back (page cursors now; multi-round-trip request state later). A sealed
// token is opaque (AES-256-GCM: the client cannot read what it carries) and
// tamper-evident (any changed byte, or a token used in another context, fails to
// open).
//
// Sealing is deterministic: the nonce is an HMAC-SHA256 of the context and the
// plaintext (the "synthetic IV" construction), so the same state in the same
// context always gives the same token. That is on purpose: a caller's answers
// must not change with anything it cannot see, and a random nonce would make two
// identical answers differ byte for byte. It reveals only that two tokens carry
// the same state, which their holder knows anyway.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace rm {

class SealedBox {
 public:
  // From a 32-byte secret written as 64 hex characters (e.g. RandomHex(32)).
  static Result<SealedBox> FromHexSecret(std::string_view hex_secret);

  // base64url(nonce || ciphertext || tag), no padding. `context` is bound to the
  // token (authenticated, not carried): Open must be given the same context.
  std::string Seal(std::string_view plaintext, std::string_view context) const;

  // The plaintext, or nullopt if `token` was not sealed by this box in `context`
  // (tampered, truncated, another secret, another context, not base64url).
  std::optional<std::string> Open(std::string_view token, std::string_view context) const;

 private:
  SealedBox() = default;
  std::string encryption_key_;  // 32 bytes, for AES-256-GCM
  std::string nonce_key_;       // 32 bytes, for the synthetic nonce's HMAC
};

}  // namespace rm
