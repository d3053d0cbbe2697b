// The JSON Schema subset: each keyword accepts what it should, refuses what it
// should, and the message names the field by its path.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mcp/schema_validator.h"

namespace {

namespace json = boost::json;

std::optional<std::string> Check(std::string_view value, std::string_view schema) {
  return mcp::ValidateAgainstSchema(json::parse(value), json::parse(schema).as_object());
}

TEST(SchemaValidator, TypesIncludingIntegerAndLists) {
  EXPECT_FALSE(Check("3", R"({"type":"integer"})"));
  EXPECT_FALSE(Check("3.0", R"({"type":"integer"})"));  // a whole number is an integer
  EXPECT_EQ(*Check("3.5", R"({"type":"integer"})"), "arguments: must be an integer (got number)");
  EXPECT_FALSE(Check("3.5", R"({"type":"number"})"));
  EXPECT_FALSE(Check("null", R"({"type":["string","null"]})"));
  EXPECT_EQ(*Check("true", R"({"type":["string","null"]})"),
            "arguments: must be a string or null (got boolean)");
  EXPECT_FALSE(Check("{}", R"({"description":"no type: anything goes"})"));
}

TEST(SchemaValidator, NestedPathsNameTheField) {
  const char* schema = R"({"type":"object","properties":{
      "a":{"type":"object","properties":{"b":{"type":"array","items":{"type":"integer","maximum":3}}}}}})";
  EXPECT_FALSE(Check(R"({"a":{"b":[1,2,3]}})", schema));
  EXPECT_EQ(*Check(R"({"a":{"b":[1,4]}})", schema), "a.b[1]: must be at most 3");
  EXPECT_EQ(*Check(R"({"a":{"b":"x"}})", schema), "a.b: must be an array (got string)");
}

TEST(SchemaValidator, RequiredAndAdditionalProperties) {
  const char* schema = R"({"type":"object","properties":{"id":{"type":"string"}},
                           "required":["id"],"additionalProperties":false})";
  EXPECT_EQ(*Check("{}", schema), "id: required field is missing");
  EXPECT_EQ(*Check(R"({"id":"1","extra":1})", schema), "extra: unknown field (allowed: id)");
  EXPECT_FALSE(Check(R"({"id":"1","extra":1})", R"({"type":"object","properties":{"id":{"type":"string"}}})"));
  EXPECT_EQ(*Check(R"({"x":"1"})", R"({"type":"object","additionalProperties":{"type":"integer"}})"),
            "x: must be an integer (got string)");
}

TEST(SchemaValidator, LengthsCountCharactersNotBytes) {
  EXPECT_FALSE(Check("\"h\u00e9\u20ac\"", R"({"type":"string","maxLength":3})"));  // 3 chars, 6 bytes
  EXPECT_EQ(*Check("\"\U0001F600\U0001F600\"", R"({"type":"string","maxLength":1})"),
            "arguments: must be at most 1 characters long (got 2)");
  EXPECT_EQ(*Check("\"ab\"", R"({"type":"string","minLength":3})"),
            "arguments: must be at least 3 characters long");
}

TEST(SchemaValidator, EnumConstAndBounds) {
  EXPECT_FALSE(Check("\"org\"", R"({"enum":["org","team"]})"));
  EXPECT_EQ(*Check("\"all\"", R"({"enum":["org","team"]})"), R"(arguments: must be one of "org", "team")");
  EXPECT_EQ(*Check("2", R"({"const":1})"), "arguments: must be 1");
  EXPECT_FALSE(Check("50", R"({"type":"integer","minimum":1,"maximum":50})"));
  EXPECT_EQ(*Check("51", R"({"type":"integer","minimum":1,"maximum":50})"), "arguments: must be at most 50");
  EXPECT_EQ(*Check("1", R"({"exclusiveMaximum":1})"), "arguments: must be less than 1");
}

TEST(SchemaValidator, ArraysSizeAndUniqueness) {
  EXPECT_EQ(*Check("[]", R"({"type":"array","minItems":1})"), "arguments: must have at least 1 items");
  EXPECT_EQ(*Check(R"(["a","b","a"])", R"({"type":"array","uniqueItems":true})"),
            "arguments[2]: repeats an earlier item");
  EXPECT_FALSE(Check(R"(["a","b"])", R"({"type":"array","uniqueItems":true,"maxItems":2})"));
}

TEST(SchemaValidator, PatternAndFormatAreLeftToTheHandler) {
  EXPECT_FALSE(Check("\"Not A Vendor!\"", R"({"type":"string","pattern":"^[a-z]+$","format":"email"})"));
}

TEST(SchemaValidator, ObjectOverloadMatchesValueOverload) {
  json::object schema = json::parse(R"({"type":"object","required":["a"]})").as_object();
  EXPECT_EQ(*mcp::ValidateAgainstSchema(json::object{}, schema), "a: required field is missing");
  EXPECT_EQ(*mcp::ValidateAgainstSchema(json::object{}, json::object{{"type", "array"}}),
            "arguments: must be an array (got object)");
}

}  // namespace
