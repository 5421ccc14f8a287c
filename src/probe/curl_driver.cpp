// SPDX-License-Identifier: Apache-2.0
#include "gslbd/probe/curl_driver.hpp"

#include <stdexcept>

namespace gslbd::probe {

// One polled socket; deleted in its close callback.
struct CurlDriver::SocketPoll {
  uv_poll_t poll;
  CurlDriver* driver;
  curl_socket_t fd;
};

CurlDriver::CurlDriver(uv_loop_t* loop) : loop_(loop), multi_(curl_multi_init()) {
  if (multi_ == nullptr) throw std::runtime_error("libcurl: cannot create a multi handle");
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlDriver::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlDriver::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlDriver::~CurlDriver() {
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

CURLMcode CurlDriver::add(CURL* easy) noexcept {
  return curl_multi_add_handle(multi_, easy);
}

void CurlDriver::remove(CURL* easy) noexcept {
  curl_multi_remove_handle(multi_, easy);
}

void CurlDriver::close() noexcept {
  if (closed_) return;
  closed_ = true;
  // Cleanup may still report sockets as removed: on_socket closes their polls.
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

int CurlDriver::on_socket(CURL*, curl_socket_t fd, int what, void* user, void* socket_data) {
  auto* driver = static_cast<CurlDriver*>(user);
  auto* socket = static_cast<SocketPoll*>(socket_data);
  if (what == CURL_POLL_REMOVE) {
    if (socket != nullptr) {
      if (!driver->closed_) curl_multi_assign(driver->multi_, fd, nullptr);
      uv_poll_stop(&socket->poll);
      uv_close(reinterpret_cast<uv_handle_t*>(&socket->poll),
               [](uv_handle_t* handle) { delete static_cast<SocketPoll*>(handle->data); });
    }
    return 0;
  }
  if (socket == nullptr) {
    socket = new SocketPoll{{}, driver, fd};
    if (uv_poll_init_socket(driver->loop_, &socket->poll, fd) != 0) {
      delete socket;
      return -1;  // libcurl fails the transfer
    }
    socket->poll.data = socket;
    curl_multi_assign(driver->multi_, fd, socket);
  }
  int events = 0;
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  uv_poll_start(&socket->poll, events, [](uv_poll_t* poll, int status, int ready) {
    auto* s = static_cast<SocketPoll*>(poll->data);
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    if (ready & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (ready & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    s->driver->action(s->fd, flags);
  });
  return 0;
}

int CurlDriver::on_timer(CURLM*, long timeout_ms, void* user) {
  auto* driver = static_cast<CurlDriver*>(user);
  if (timeout_ms < 0) {
    uv_timer_stop(&driver->timer_);
    return 0;
  }
  // Even a 0 ms timeout fires from the loop, never from inside libcurl's call.
  uv_timer_start(
      &driver->timer_,
      [](uv_timer_t* timer) {
        static_cast<CurlDriver*>(timer->data)->action(CURL_SOCKET_TIMEOUT, 0);
      },
      static_cast<std::uint64_t>(timeout_ms), 0);
  return 0;
}

void CurlDriver::action(curl_socket_t fd, int flags) noexcept {
  if (multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
  deliver_done();
}

void CurlDriver::deliver_done() noexcept {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    void* owner = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
    curl_multi_remove_handle(multi_, easy);
    if (owner != nullptr) static_cast<CurlTransfer*>(owner)->on_curl_done(code);
  }
}

}  // namespace gslbd::probe
