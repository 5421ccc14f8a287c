// SPDX-License-Identifier: Apache-2.0
// Captures what gslbd logs (spdlog's default logger) while it lives, for tests that assert on
// log lines. Install it before starting a health loop and let it go after stopping it: the
// default logger must not change while another thread logs.
#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace gslbd::probe::test {

class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
    sink_->set_pattern("%l %v");  // "warning health: ..."
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines() const { return sink_->last_formatted(); }

  // Lines that contain every one of `parts`.
  std::size_t count(const std::vector<std::string>& parts) const {
    const auto all = lines();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& l) {
      return std::all_of(parts.begin(), parts.end(),
                         [&](const std::string& p) { return l.find(p) != std::string::npos; });
    }));
  }

  std::string dump() const {
    std::string out;
    for (const std::string& l : lines()) out += l + "\n";
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace gslbd::probe::test
