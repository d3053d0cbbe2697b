#include "util/status.h"

namespace rm {

const char* Status::code_name() const {
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "validation_error";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kQuotaExceeded: return "quota_exceeded";
    case Code::kConflict: return "conflict";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kIoError: return "io_error";
    case Code::kInternal: return "internal_error";
    case Code::kCancelled: return "cancelled";
    case Code::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(code_name()) + ": " + message_;
}

}  // namespace rm
