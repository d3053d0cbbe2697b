// AES-256-GCM and HKDF-SHA256 against published known answers, and the LLM key
// cipher built on them (issue 17): wrong master key, tampering and moved rows fail.
#include <gtest/gtest.h>

#include <cstdlib>

#include "util/aead.h"
#include "util/llm_key_cipher.h"

namespace rm {
namespace {

std::string Hex(std::string_view hex) { return FromHex(hex).value(); }
std::string ToHexText(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// RFC 5869, appendix A.1 (test case 1).
TEST(HkdfSha256, MatchesRfc5869TestCase1) {
  const std::string okm = HkdfSha256(Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), Hex("000102030405060708090a0b0c"),
                                     Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(ToHexText(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16.
TEST(Aes256Gcm, MatchesTheGcmSpecificationsTestCases) {
  const std::string zero_key(32, '\0'), zero_nonce(12, '\0');
  EXPECT_EQ(ToHexText(Aes256GcmSeal(zero_key, zero_nonce, "", "")), "530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(ToHexText(Aes256GcmSeal(zero_key, zero_nonce, "", std::string(16, '\0'))),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  const std::string key = Hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string nonce = Hex("cafebabefacedbaddecaf888");
  const std::string aad = Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const std::string plaintext = Hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const std::string sealed = Aes256GcmSeal(key, nonce, aad, plaintext);
  EXPECT_EQ(ToHexText(sealed),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e63"
            "93ba7a0abcc9f66276fc6ece0f4e1768cddf8853bb2d551b");
  EXPECT_EQ(Aes256GcmOpen(key, nonce, aad, sealed), plaintext);
  std::string tampered = sealed;
  tampered[3] ^= 1;
  EXPECT_FALSE(Aes256GcmOpen(key, nonce, aad, tampered));
  EXPECT_FALSE(Aes256GcmOpen(key, nonce, aad + "x", sealed));
  EXPECT_FALSE(Aes256GcmOpen(key, nonce, aad, sealed.substr(0, 10)));
}

constexpr std::string_view kMasterHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(LlmKeyCipher, RoundTripsAndNeverReusesANonce) {
  const LlmKeyCipher cipher = LlmKeyCipher::FromMasterKey(kMasterHex).value();
  const auto a = cipher.Encrypt("user-1", "openai", "sk-secret-1234");
  const auto b = cipher.Encrypt("user-1", "openai", "sk-secret-1234");
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.ciphertext, b.ciphertext);
  EXPECT_EQ(a.ciphertext.find("sk-secret"), std::string::npos);
  EXPECT_EQ(cipher.Decrypt("user-1", "openai", a).value(), "sk-secret-1234");
  // The same master key as base64 is the same key.
  const LlmKeyCipher from_base64 = LlmKeyCipher::FromMasterKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").value();
  EXPECT_EQ(from_base64.Decrypt("user-1", "openai", a).value(), "sk-secret-1234");
}

TEST(LlmKeyCipher, AWrongMasterKeyATamperedRowOrAMovedRowFailsClearly) {
  const LlmKeyCipher cipher = LlmKeyCipher::FromMasterKey(kMasterHex).value();
  const auto sealed = cipher.Encrypt("user-1", "openai", "sk-secret-1234");
  const LlmKeyCipher other =
      LlmKeyCipher::FromMasterKey("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").value();
  Result<std::string> wrong = other.Decrypt("user-1", "openai", sealed);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find("RM_LLM_KEY_ENCRYPTION_KEY"), std::string::npos);
  EXPECT_EQ(wrong.status().message().find("sk-secret"), std::string::npos);

  auto flipped = sealed;
  flipped.ciphertext[0] ^= 1;
  EXPECT_FALSE(cipher.Decrypt("user-1", "openai", flipped).ok());
  auto other_nonce = sealed;
  other_nonce.nonce[0] ^= 1;
  EXPECT_FALSE(cipher.Decrypt("user-1", "openai", other_nonce).ok());
  auto short_nonce = sealed;
  short_nonce.nonce.pop_back();
  EXPECT_FALSE(cipher.Decrypt("user-1", "openai", short_nonce).ok());
  EXPECT_FALSE(cipher.Decrypt("user-2", "openai", sealed).ok()) << "another tenant's row";
  EXPECT_FALSE(cipher.Decrypt("user-1", "anthropic", sealed).ok()) << "another provider's row";
}

TEST(LlmKeyCipher, AMalformedMasterKeyIsRefusedWithoutEchoingIt) {
  for (std::string_view bad : {"", "abc", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                               "0001020304050607", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "not base64 at all!!!"}) {
    Result<LlmKeyCipher> cipher = LlmKeyCipher::FromMasterKey(bad);
    ASSERT_FALSE(cipher.ok()) << bad;
    EXPECT_NE(cipher.status().message().find("64 hex characters or as base64"), std::string::npos);
    if (!bad.empty()) {
      EXPECT_EQ(cipher.status().message().find(std::string(bad)), std::string::npos);
    }
  }
  ::unsetenv(kLlmMasterKeyVariable);
  EXPECT_FALSE(LlmKeyCipher::FromEnvironment().value().has_value());
  ::setenv(kLlmMasterKeyVariable, std::string(kMasterHex).c_str(), 1);
  EXPECT_TRUE(LlmKeyCipher::FromEnvironment().value().has_value());
  ::setenv(kLlmMasterKeyVariable, "short", 1);
  EXPECT_FALSE(LlmKeyCipher::FromEnvironment().ok());
  ::unsetenv(kLlmMasterKeyVariable);
}

}  // namespace
}  // namespace rm
