// Authenticated encryption and key derivation over OpenSSL, for secrets the
// server keeps or hands out: AES-256-GCM (12-byte nonce, 16-byte tag) and
// HKDF-SHA256 (RFC 5869). Used by SealedBox (tokens clients hold) and
// LlmKeyCipher (provider keys at rest).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rm {

inline constexpr std::size_t kAesGcmKeyBytes = 32;
inline constexpr std::size_t kAesGcmNonceBytes = 12;
inline constexpr std::size_t kAesGcmTagBytes = 16;

// ciphertext || tag of `plaintext` under `key` (32 bytes) and `nonce` (12 bytes),
// authenticating `aad` too. Throws std::runtime_error if OpenSSL fails or a size is wrong.
std::string Aes256GcmSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                          std::string_view plaintext);

// The plaintext of `sealed` (ciphertext || tag), or nullopt if it was not sealed
// with this key, nonce and aad (any changed byte fails).
std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                                         std::string_view sealed);

// HKDF-SHA256: `length` bytes derived from `secret` with `salt` and `info`.
std::string HkdfSha256(std::string_view secret, std::string_view salt, std::string_view info, std::size_t length);

// HMAC-SHA256 of `data` under `key` (32 bytes).
std::string HmacSha256(std::string_view key, std::string_view data);

// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error if it fails.
std::string RandomBytes(std::size_t n);

// The bytes of hex text (either case), or nullopt if it is not hex.
std::optional<std::string> FromHex(std::string_view hex);

// The bytes of standard base64 text (with its '=' padding), or nullopt if it is not base64.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace rm
