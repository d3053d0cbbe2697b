#include "util/llm_key_cipher.h"

#include <cstdlib>

#include "util/aead.h"

namespace rm {
namespace {

// HKDF's info: what the derived key is for, so no other use of the master key can
// derive the same bytes.
constexpr std::string_view kTenantKeyInfo = "reflect-memory llm_keys v1";

std::string Aad(std::string_view tenant_id, std::string_view provider) {
  return std::to_string(tenant_id.size()) + ":" + std::string(tenant_id) + "/" + std::string(provider);
}

}  // namespace

Result<LlmKeyCipher> LlmKeyCipher::FromMasterKey(std::string_view text) {
  std::optional<std::string> master = text.size() == 64 ? FromHex(text) : FromBase64(text);
  if (!master || master->size() != kAesGcmKeyBytes) {
    return Status::InvalidArgument(std::string(kLlmMasterKeyVariable) +
                                   " must be 32 bytes written as 64 hex characters or as base64 "
                                   "(make one with `openssl rand -hex 32`)");
  }
  return LlmKeyCipher(std::move(*master));
}

Result<std::optional<LlmKeyCipher>> LlmKeyCipher::FromEnvironment() {
  const char* text = std::getenv(kLlmMasterKeyVariable);
  if (text == nullptr || *text == '\0') return std::optional<LlmKeyCipher>();
  Result<LlmKeyCipher> cipher = FromMasterKey(text);
  if (!cipher.ok()) return cipher.status();
  return std::optional<LlmKeyCipher>(std::move(*cipher));
}

std::string LlmKeyCipher::TenantKey(std::string_view tenant_id) const {
  return HkdfSha256(master_, tenant_id, kTenantKeyInfo, kAesGcmKeyBytes);
}

LlmKeyCipher::Sealed LlmKeyCipher::Encrypt(std::string_view tenant_id, std::string_view provider,
                                           std::string_view key) const {
  Sealed sealed;
  sealed.nonce = RandomBytes(kAesGcmNonceBytes);
  sealed.ciphertext = Aes256GcmSeal(TenantKey(tenant_id), sealed.nonce, Aad(tenant_id, provider), key);
  return sealed;
}

Result<std::string> LlmKeyCipher::Decrypt(std::string_view tenant_id, std::string_view provider,
                                          const Sealed& sealed) const {
  std::optional<std::string> key;
  if (sealed.nonce.size() == kAesGcmNonceBytes) {
    key = Aes256GcmOpen(TenantKey(tenant_id), sealed.nonce, Aad(tenant_id, provider), sealed.ciphertext);
  }
  if (!key) {
    return Status::FailedPrecondition(
        "the stored provider key does not decrypt: " + std::string(kLlmMasterKeyVariable) +
        " is not the key it was stored with, or the stored row was changed; set the key again with "
        "`reflect-memory llm-key set`");
  }
  return std::move(*key);
}

}  // namespace rm
