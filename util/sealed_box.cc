#include "util/sealed_box.h"

#include "util/aead.h"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace rm {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kMaxTokenChars = 16384;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// OpenSSL's base64, turned into the URL-safe alphabet without padding, so a
// token can sit in JSON, a URL or a header as it is.
std::string Base64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string padded(text);
  for (char& c : padded) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;  // only the URL-safe alphabet
  }
  const std::size_t padding = (4 - padded.size() % 4) % 4;
  padded.append(padding, '=');
  std::string out(3 * padded.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(padded), static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;  // a character outside the alphabet
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace

Result<SealedBox> SealedBox::FromHexSecret(std::string_view hex_secret) {
  std::optional<std::string> secret = FromHex(hex_secret);
  if (!secret || secret->size() != kKeyBytes) {
    return Status::InvalidArgument("a sealing secret must be 32 bytes written as 64 hex characters");
  }
  // Two keys from one secret, so the nonce's MAC and the cipher never share a key.
  SealedBox box;
  box.encryption_key_ = HmacSha256(*secret, "reflect-memory sealed box: encryption");
  box.nonce_key_ = HmacSha256(*secret, "reflect-memory sealed box: nonce");
  return box;
}

std::string SealedBox::Seal(std::string_view plaintext, std::string_view context) const {
  // The nonce covers the context too: one plaintext in two contexts gets two nonces.
  std::string framed = std::to_string(context.size()) + ":" + std::string(context) + std::string(plaintext);
  const std::string nonce = HmacSha256(nonce_key_, framed).substr(0, kNonceBytes);
  return Base64Url(nonce + Aes256GcmSeal(encryption_key_, nonce, context, plaintext));
}

std::optional<std::string> SealedBox::Open(std::string_view token, std::string_view context) const {
  if (token.size() > kMaxTokenChars) return std::nullopt;
  std::optional<std::string> sealed = FromBase64Url(token);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) return std::nullopt;
  // The last character of unpadded base64 has bits that decode to nothing: only
  // the one spelling Seal writes is accepted, so no other string opens.
  if (Base64Url(*sealed) != token) return std::nullopt;
  const std::string_view all(*sealed);
  const std::string_view nonce = all.substr(0, kNonceBytes);

  return Aes256GcmOpen(encryption_key_, nonce, context, all.substr(kNonceBytes));
}

}  // namespace rm
