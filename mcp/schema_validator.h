// Checks tool arguments against the subset of JSON Schema our tools declare:
// type (one name or a list), properties, required, additionalProperties:false,
// enum, const, minimum/maximum, exclusiveMinimum/exclusiveMaximum, minLength/maxLength
// (in Unicode code points), pattern is NOT supported, minItems/maxItems, uniqueItems,
// items. Anything else in a schema is ignored. Not a general JSON Schema validator.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace mcp {

// Nothing if `value` conforms to `schema`; otherwise one message naming the first
// offending field by its path, e.g. "tags[3]: must be at most 64 characters" or
// "title: required field is missing".
std::optional<std::string> ValidateAgainstSchema(const boost::json::value& value,
                                                 const boost::json::object& schema);

}  // namespace mcp
