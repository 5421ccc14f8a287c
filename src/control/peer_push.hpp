// SPDX-License-Identifier: Apache-2.0
// Pushing this instance's operator actions to one peer: POST /peer/actions on the peer's
// control endpoint with the fleet token, on the control thread's libuv loop (libcurl multi
// through the poller's CurlDriver; nothing blocks, nothing waits for the reply). At most one
// push per peer is in flight; records taken meanwhile wait in a bounded queue that keeps the
// newest record per (pool, member, kind), so repeated actions on one member coalesce, and a
// record that finds the queue full is dropped and counted. A push that fails is not retried:
// the peer gets the record at its next poll of this instance, which is also how a peer that
// was away catches up. Each push is bounded by peers.timeout, its reply by kMaxPushReplyBytes.
// Control thread only.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "gslbd/control/peer_poller.hpp"
#include "gslbd/probe/curl_driver.hpp"
#include "operator_actions.hpp"

namespace gslbd::control {

// Records waiting for one peer while a push to it is in flight.
inline constexpr std::size_t kMaxQueuedPushRecords = 256;

class PeerPush final : public probe::CurlTransfer {
 public:
  struct Settings {
    std::string url;    // the peer's control endpoint, http://host:port
    std::string token;  // peers.token
    std::uint32_t timeout_ms = 0;
    std::string identity;  // this instance's server.identity, the push's "instance"
  };

  PeerPush(probe::CurlDriver& driver, std::string peer_name);
  ~PeerPush();  // cancels the push in flight, without a callback
  PeerPush(const PeerPush&) = delete;
  PeerPush& operator=(const PeerPush&) = delete;

  // Queues the record and, unless a push is in flight, sends what is queued.
  void push(const OperatorAction& action, const Settings& settings) noexcept;

  const PushReport& report() const noexcept { return report_; }
  std::size_t queued() const noexcept { return queue_.size(); }

 private:
  void start() noexcept;
  void release() noexcept;
  // Counts and logs how a push ended; detail is libcurl's text for code.
  void finished(long status, CURLcode code, const char* detail) noexcept;
  void account(long status, CURLcode code, const char* detail);
  void on_curl_done(CURLcode code) noexcept override;
  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user);

  probe::CurlDriver& driver_;
  std::string name_;
  Settings settings_;     // as of the last push() call
  ActionSet queue_;       // at most kMaxQueuedPushRecords keys
  CURL* easy_ = nullptr;  // non-null while a push is in flight
  curl_slist* headers_ = nullptr;
  std::string url_;
  std::string authorization_;
  std::string body_;
  std::string reply_;
  bool oversized_ = false;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  PushReport report_;
  std::string trouble_;  // the last failure's kind, so that a lasting one is logged once
};

}  // namespace gslbd::control
