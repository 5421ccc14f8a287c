// SPDX-License-Identifier: Apache-2.0
// libcurl's multi interface driven by a libuv loop (the "multi-uv" pattern:
// CURLMOPT_SOCKETFUNCTION -> uv_poll per socket, CURLMOPT_TIMERFUNCTION -> one uv_timer).
// Used on the loop's thread only: the health loop's for HTTP checks, the control loop's for
// peer polls. Finished transfers are handed to their owner through the CURLINFO_PRIVATE
// pointer, which must point at a CurlTransfer.
#pragma once

#include <curl/curl.h>
#include <uv.h>

namespace gslbd::probe {

class CurlTransfer {
 public:
  // The transfer ended (the driver has already removed the easy handle from the multi).
  virtual void on_curl_done(CURLcode code) noexcept = 0;

 protected:
  ~CurlTransfer() = default;
};

class CurlDriver {
 public:
  explicit CurlDriver(uv_loop_t* loop);
  ~CurlDriver();
  CurlDriver(const CurlDriver&) = delete;
  CurlDriver& operator=(const CurlDriver&) = delete;

  // Starts a transfer whose CURLOPT_PRIVATE is a CurlTransfer*.
  CURLMcode add(CURL* easy) noexcept;
  // Stops a transfer without a callback (cancel).
  void remove(CURL* easy) noexcept;
  // Before the loop ends: frees the multi handle and closes the timer and every poll handle.
  // Every transfer must have been removed.
  void close() noexcept;

 private:
  struct SocketPoll;
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* user, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* user);
  void action(curl_socket_t fd, int flags) noexcept;
  void deliver_done() noexcept;

  uv_loop_t* loop_;
  CURLM* multi_;
  uv_timer_t timer_;
  bool closed_ = false;
};

}  // namespace gslbd::probe
