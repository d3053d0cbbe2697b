#include "mcp/schema_validator.h"

#include <cmath>
#include <cstdint>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace mcp {
namespace {

namespace json = boost::json;

// Where a value sits in the arguments, for messages: "arguments", "title", "tags[3]", "a.b".
std::string ChildPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}
std::string ItemPath(const std::string& parent, std::size_t index) {
  return (parent.empty() ? std::string("arguments") : parent) + "[" + std::to_string(index) + "]";
}
std::string Named(const std::string& path) { return path.empty() ? "arguments" : path; }

bool IsInteger(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && std::trunc(v.get_double()) == v.get_double();
}

double AsDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

// The JSON Schema type name of `v` ("integer" for whole numbers).
std::string_view TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    default: return IsInteger(v) ? "integer" : "number";
  }
}

bool HasType(const json::value& v, std::string_view type) {
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number() && IsInteger(v);
  return TypeName(v) == type;
}

// Strings from Boost.JSON are valid UTF-8, so counting the bytes that do not
// continue a sequence counts code points.
std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class Validator {
 public:
  std::optional<std::string> Check(const json::value& v, const json::object& schema,
                                   const std::string& path) {
    if (auto e = CheckType(v, schema, path)) return e;
    if (auto e = CheckEnumAndConst(v, schema, path)) return e;
    if (v.is_number()) return CheckNumber(AsDouble(v), schema, path);
    if (v.is_string()) return CheckString(v.get_string(), schema, path);
    if (v.is_array()) return CheckArray(v.get_array(), schema, path);
    if (v.is_object()) return CheckObject(v.get_object(), schema, path);
    return std::nullopt;
  }

  std::optional<std::string> CheckRoot(const json::object& o, const json::object& schema) {
    if (const json::value* type = schema.if_contains("type"); type && !AllowsType(*type, "object")) {
      return MustBe("", *type, "object");
    }
    return CheckObject(o, schema, "");
  }

 private:
  static std::optional<std::string> CheckType(const json::value& v, const json::object& schema,
                                              const std::string& path) {
    const json::value* type = schema.if_contains("type");
    if (!type) return std::nullopt;
    if (type->is_string() && HasType(v, type->get_string())) return std::nullopt;
    if (type->is_array()) {
      for (const auto& t : type->get_array()) {
        if (t.is_string() && HasType(v, t.get_string())) return std::nullopt;
      }
    }
    if (!type->is_string() && !type->is_array()) return std::nullopt;  // not a type we understand
    return MustBe(path, *type, TypeName(v));
  }

  // Whether `type` (a name or a list of names) admits the type `name`.
  static bool AllowsType(const json::value& type, std::string_view name) {
    if (type.is_string()) return type.get_string() == name;
    if (!type.is_array()) return true;
    for (const auto& t : type.get_array()) {
      if (t.is_string() && t.get_string() == name) return true;
    }
    return false;
  }

  // "title: must be a string (got number)", "x: must be an integer or null (got string)".
  static std::string MustBe(const std::string& path, const json::value& type, std::string_view got) {
    std::string expected;
    if (type.is_string()) {
      expected = type.get_string();
    } else {
      for (const auto& t : type.get_array()) {
        if (!expected.empty()) expected += " or ";
        expected += t.is_string() ? std::string(t.get_string()) : json::serialize(t);
      }
    }
    const bool vowel = !expected.empty() && std::string_view("aeiou").find(expected[0]) != std::string_view::npos;
    return Named(path) + ": must be " + (vowel ? "an " : "a ") + expected + " (got " + std::string(got) + ")";
  }

  static std::optional<std::string> CheckEnumAndConst(const json::value& v,
                                                      const json::object& schema,
                                                      const std::string& path) {
    if (const auto* allowed = schema.if_contains("enum"); allowed && allowed->is_array()) {
      bool found = false;
      std::string list;
      for (const auto& option : allowed->get_array()) {
        found = found || option == v;
        if (!list.empty()) list += ", ";
        list += json::serialize(option);
      }
      if (!found) return Named(path) + ": must be one of " + list;
    }
    if (const auto* constant = schema.if_contains("const"); constant && *constant != v) {
      return Named(path) + ": must be " + json::serialize(*constant);
    }
    return std::nullopt;
  }

  static std::optional<std::string> CheckNumber(double n, const json::object& schema,
                                                const std::string& path) {
    const auto bound = [&schema](std::string_view key) -> std::optional<double> {
      const json::value* b = schema.if_contains(key);
      if (!b || !b->is_number()) return std::nullopt;
      return AsDouble(*b);
    };
    const auto fmt = [](double d) {
      return std::trunc(d) == d && std::fabs(d) < 1e15 ? std::to_string(static_cast<std::int64_t>(d))
                                                         : std::to_string(d);
    };
    if (auto min = bound("minimum"); min && n < *min) {
      return Named(path) + ": must be at least " + fmt(*min);
    }
    if (auto max = bound("maximum"); max && n > *max) {
      return Named(path) + ": must be at most " + fmt(*max);
    }
    if (auto min = bound("exclusiveMinimum"); min && n <= *min) {
      return Named(path) + ": must be greater than " + fmt(*min);
    }
    if (auto max = bound("exclusiveMaximum"); max && n >= *max) {
      return Named(path) + ": must be less than " + fmt(*max);
    }
    return std::nullopt;
  }

  static std::optional<std::string> CheckString(std::string_view s, const json::object& schema,
                                         const std::string& path) {
    const std::size_t length = CodePoints(s);
    if (const auto* min = schema.if_contains("minLength"); min && min->is_number()) {
      if (length < AsDouble(*min)) {
        return Named(path) + (AsDouble(*min) == 1 ? ": must not be empty"
                                                  : ": must be at least " + json::serialize(*min) +
                                                        " characters long");
      }
    }
    if (const auto* max = schema.if_contains("maxLength"); max && max->is_number()) {
      if (length > AsDouble(*max)) {
        return Named(path) + ": must be at most " + json::serialize(*max) + " characters long (got " +
               std::to_string(length) + ")";
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckArray(const json::array& a, const json::object& schema,
                                        const std::string& path) {
    if (const auto* min = schema.if_contains("minItems"); min && min->is_number()) {
      if (a.size() < AsDouble(*min)) {
        return Named(path) + ": must have at least " + json::serialize(*min) + " items";
      }
    }
    if (const auto* max = schema.if_contains("maxItems"); max && max->is_number()) {
      if (a.size() > AsDouble(*max)) {
        return Named(path) + ": must have at most " + json::serialize(*max) + " items (got " +
               std::to_string(a.size()) + ")";
      }
    }
    if (const auto* unique = schema.if_contains("uniqueItems"); unique && *unique == true) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (a[i] == a[j]) return ItemPath(path, i) + ": repeats an earlier item";
        }
      }
    }
    if (const auto* items = schema.if_contains("items"); items && items->is_object()) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (auto e = Check(a[i], items->get_object(), ItemPath(path, i))) return e;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> CheckObject(const json::object& o, const json::object& schema,
                                         const std::string& path) {
    const json::object* properties = nullptr;
    if (const auto* p = schema.if_contains("properties"); p && p->is_object()) {
      properties = &p->get_object();
    }
    if (const auto* required = schema.if_contains("required"); required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (name.is_string() && !o.contains(name.get_string())) {
          return ChildPath(path, name.get_string()) + ": required field is missing";
        }
      }
    }
    const json::value* additional = schema.if_contains("additionalProperties");
    for (const auto& [key, member] : o) {
      const json::value* property = properties ? properties->if_contains(key) : nullptr;
      if (property && property->is_object()) {
        if (auto e = Check(member, property->get_object(), ChildPath(path, key))) return e;
      } else if (!property && additional) {
        if (*additional == false) {
          return ChildPath(path, key) + ": unknown field" + AllowedList(properties);
        }
        if (additional->is_object()) {
          if (auto e = Check(member, additional->get_object(), ChildPath(path, key))) return e;
        }
      }
    }
    return std::nullopt;
  }

  static std::string AllowedList(const json::object* properties) {
    if (!properties || properties->empty()) return " (no fields are accepted)";
    std::string list;
    for (const auto& [key, unused] : *properties) {
      list += list.empty() ? " (allowed: " : ", ";
      list += key;
    }
    return list + ")";
  }
};

}  // namespace

std::optional<std::string> ValidateAgainstSchema(const boost::json::value& value,
                                                 const boost::json::object& schema) {
  return Validator().Check(value, schema, "");
}

std::optional<std::string> ValidateAgainstSchema(const boost::json::object& value,
                                                 const boost::json::object& schema) {
  return Validator().CheckRoot(value, schema);
}

}  // namespace mcp
