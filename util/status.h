// Status and Result<T>: how every layer below the protocol reports failure.
//
// Modelled on LevelDB's Status: a code a program can branch on plus a message a
// person can act on. Codes map one-to-one onto the error codes that tools show
// to models (see tools/), so a failure keeps its meaning from the store upward.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace rm {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // validation: the caller can fix the input
    kNotFound,            // absent, or hidden from this caller (never "forbidden")
    kAlreadyExists,       // a unique thing exists already (user email, team name)
    kPermissionDenied,    // the caller may see it but not change it
    kQuotaExceeded,       // a plan limit
    kConflict,            // idempotency_conflict and other state conflicts
    kFailedPrecondition,  // e.g. a database written by a newer version
    kUnauthenticated,     // missing, unknown or revoked credential
    kIoError,             // the file system or SQLite failed
    kInternal,            // a bug
    kCancelled,           // the caller gave up on the call (MCP notifications/cancelled)
    kUnavailable,         // the database server cannot be reached now; retrying later may work
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status QuotaExceeded(std::string m) { return {Code::kQuotaExceeded, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // A stable snake_case name for the code ("not_found", "quota_exceeded", ...).
  const char* code_name() const;
  // "not_found: memory 42 does not exist" — for logs and CLI output.
  std::string ToString() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}      // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;  // Ok when value_ is set
};

}  // namespace rm

// Return early from a function returning Status or Result<T> when `expr` failed.
#define RM_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::rm::Status rm_status_ = (expr);       \
    if (!rm_status_.ok()) return rm_status_; \
  } while (0)
