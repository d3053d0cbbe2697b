#include "app/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "util/clock.h"

namespace rm::app {
namespace {

// One JSON object per line. Boost.JSON does the escaping, so a message holding
// quotes or newlines still yields one valid line.
class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    boost::json::object line;
    line["time"] = FormatUtc(msg.time);
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string_view(level.data(), level.size());
    line["msg"] = std::string_view(msg.payload.data(), msg.payload.size());
    std::string text = boost::json::serialize(line);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

Status ConfigureLogging(std::string_view level_name, bool json) {
  const auto level = spdlog::level::from_str(std::string(level_name));
  // from_str answers "off" for names it does not know; only accept "off" when asked for.
  if (level == spdlog::level::off && level_name != "off") {
    return Status::InvalidArgument("unknown log level '" + std::string(level_name) +
                                   "': use trace, debug, info, warn or error");
  }
  std::shared_ptr<spdlog::logger> logger;
  if (json) {
    logger = std::make_shared<spdlog::logger>("reflect-memory", std::make_shared<JsonLinesSink>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "reflect-memory", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace rm::app
