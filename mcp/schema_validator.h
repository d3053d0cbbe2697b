// Checks tool arguments against the subset of JSON Schema our tools declare.
//
// Supported keywords: type (a name or a list of names), properties, required,
// additionalProperties (false or a schema), enum, const, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum (numeric form), minLength, maxLength (counted
// in Unicode code points), minItems, maxItems, uniqueItems, items (one schema).
// Every other keyword is ignored — notably "pattern" and "format", which stay useful
// as documentation for the model but must be enforced by the handler (a regex engine
// here would add a backtracking risk on 100,000-character inputs). This is
// deliberately not a general JSON Schema validator: it covers what the tools in
// tools/ declare, and each rule gives a message a model can act on.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace mcp {

// Nothing if `value` conforms to `schema`; otherwise one message naming the first
// offending field by its path, e.g. "tags[3]: must be at most 64 characters long" or
// "title: required field is missing". The root is called "arguments".
std::optional<std::string> ValidateAgainstSchema(const boost::json::value& value,
                                                 const boost::json::object& schema);
// The same for an object (tool arguments), without copying it into a value.
std::optional<std::string> ValidateAgainstSchema(const boost::json::object& value,
                                                 const boost::json::object& schema);

}  // namespace mcp
