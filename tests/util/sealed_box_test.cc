// SealedBox: what a client holds is opaque, tamper-evident and bound to its context.
#include <gtest/gtest.h>

#include <regex>

#include "util/crypto.h"
#include "util/sealed_box.h"

namespace rm {
namespace {

SealedBox Box(const std::string& secret) {
  Result<SealedBox> box = SealedBox::FromHexSecret(secret);
  EXPECT_TRUE(box.ok()) << box.status().message();
  return std::move(*box);
}

TEST(SealedBox, OpensWhatItSealedInTheSameContext) {
  SealedBox box = Box(RandomHex(32));
  for (std::string plaintext : {std::string(), std::string("x"), std::string("{\"df\":[1,2,3]}"),
                                std::string(1000, 'z')}) {
    std::string token = box.Seal(plaintext, "search|alice");
    EXPECT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9_-]+"))) << token;  // URL-safe, no padding
    std::optional<std::string> opened = box.Open(token, "search|alice");
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SealedBox, TokenDoesNotShowThePlaintext) {
  SealedBox box = Box(RandomHex(32));
  // Markers long enough that random ciphertext cannot contain them by chance (a two-letter
  // marker appeared in about one token in eighty and made this test flaky).
  std::string token = box.Seal("{\"n\":123456,\"dfield\":[42]}", "ctx");
  EXPECT_EQ(token.find("123456"), std::string::npos);
  EXPECT_EQ(token.find("dfield"), std::string::npos);
}

TEST(SealedBox, SameStateSameTokenSoAnswersAreReproducible) {
  SealedBox box = Box(RandomHex(32));
  EXPECT_EQ(box.Seal("state", "ctx"), box.Seal("state", "ctx"));
  EXPECT_NE(box.Seal("state", "ctx"), box.Seal("state2", "ctx"));
  EXPECT_NE(box.Seal("state", "ctx"), box.Seal("state", "ctx2"));
}

TEST(SealedBox, EveryChangedCharacterIsRefused) {
  SealedBox box = Box(RandomHex(32));
  const std::string token = box.Seal("{\"lo\":1,\"hi\":99}", "ctx");
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box.Open(tampered, "ctx").has_value()) << "position " << i;
  }
  EXPECT_FALSE(box.Open(token.substr(0, token.size() - 1), "ctx").has_value());
  EXPECT_FALSE(box.Open(token + "A", "ctx").has_value());
  EXPECT_FALSE(box.Open("", "ctx").has_value());
  EXPECT_FALSE(box.Open("not base64!", "ctx").has_value());
}

TEST(SealedBox, AnotherContextOrSecretCannotOpenIt) {
  SealedBox box = Box(RandomHex(32));
  const std::string token = box.Seal("state", "list|alice");
  EXPECT_FALSE(box.Open(token, "list|bob").has_value());
  EXPECT_FALSE(Box(RandomHex(32)).Open(token, "list|alice").has_value());
}

TEST(SealedBox, RefusesASecretOfTheWrongSize) {
  EXPECT_FALSE(SealedBox::FromHexSecret(RandomHex(16)).ok());
  EXPECT_FALSE(SealedBox::FromHexSecret("zz" + RandomHex(31)).ok());
}

}  // namespace
}  // namespace rm
