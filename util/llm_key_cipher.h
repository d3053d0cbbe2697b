// LLM provider keys at rest (SPEC §11, issue 17): AES-256-GCM under a per-tenant
// key derived with HKDF-SHA256 from the master key in $RM_LLM_KEY_ENCRYPTION_KEY,
// salted with the tenant's (org's or user's) id — so one tenant's rows can never be
// opened with another tenant's key, and a leaked database without the master key
// reveals only each key's last four characters (stored in clear for display).
//
// Each key gets a fresh random nonce. The tenant and provider are authenticated with
// the ciphertext, so a row copied onto another tenant or provider fails to open.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace rm {

inline constexpr const char* kLlmMasterKeyVariable = "RM_LLM_KEY_ENCRYPTION_KEY";

class LlmKeyCipher {
 public:
  // From the master key's text: 32 bytes written as 64 hex characters or as base64.
  // InvalidArgument (never echoing the text) otherwise.
  static Result<LlmKeyCipher> FromMasterKey(std::string_view text);

  // From $RM_LLM_KEY_ENCRYPTION_KEY: nullopt when it is unset or empty.
  static Result<std::optional<LlmKeyCipher>> FromEnvironment();

  struct Sealed {
    std::string nonce;       // 12 random bytes
    std::string ciphertext;  // the key's bytes, then the 16-byte tag
  };

  Sealed Encrypt(std::string_view tenant_id, std::string_view provider, std::string_view key) const;

  // The key, or FailedPrecondition when it does not open: another master key, or a
  // changed ciphertext, nonce, tenant or provider.
  Result<std::string> Decrypt(std::string_view tenant_id, std::string_view provider, const Sealed& sealed) const;

 private:
  explicit LlmKeyCipher(std::string master) : master_(std::move(master)) {}
  std::string TenantKey(std::string_view tenant_id) const;

  std::string master_;  // 32 bytes
};

}  // namespace rm
