// SPDX-License-Identifier: Apache-2.0
#include "haproxy_probe.hpp"

#include <sys/un.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sockaddr.hpp"

namespace gslbd::probe {
namespace {

// The reply buffer starts small (a few proxies fit) and doubles up to the parser's bound, so a
// probe of a small HAProxy costs little and a large one is read whole.
constexpr std::size_t kInitialReplyBytes = 16 * 1024;
constexpr std::size_t kMinReadRoom = 4 * 1024;

class HaproxyProbe final : public Probe {
 public:
  HaproxyProbe(uv_loop_t* loop, const health::CheckSpec& spec, ProbeDone done)
      : Probe(loop, spec.timeout_ms, std::move(done)),
        target_{spec.frontend, spec.backends, spec.min_up_servers},
        unix_(!spec.socket.empty()) {
    if (unix_) {
      uv_pipe_init(loop_, &stream_.pipe, 0);
    } else {
      uv_tcp_init(loop_, &stream_.tcp);
    }
    own_handle(handle());
    connect_.data = this;
    write_.data = this;
  }

  void start(const health::CheckSpec& spec, const util::Address& target) noexcept {
    arm_timeout();
    auto on_connect = [](uv_connect_t* req, int status) {
      static_cast<HaproxyProbe*>(req->data)->on_connect(status);
    };
    if (unix_) {
      if (spec.socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
        fail_soon("socket path longer than the system allows");
        return;
      }
      where_ = "socket " + spec.socket;
      // uv_pipe_connect reports its errors through the callback.
      uv_pipe_connect(&connect_, &stream_.pipe, spec.socket.c_str(), on_connect);
      return;
    }
    sockaddr_storage address;
    if (spec.port == 0 || !to_sockaddr(target, spec.port, address)) {
      fail_soon("no target address or port");
      return;
    }
    where_ = url_host(target) + ":" + std::to_string(spec.port);
    const int rc = uv_tcp_connect(&connect_, &stream_.tcp,
                                  reinterpret_cast<const sockaddr*>(&address), on_connect);
    if (rc != 0) fail_soon("connect to " + where_ + ": " + uv_strerror(rc));
  }

 private:
  union Stream {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  };

  uv_handle_t* handle() noexcept { return reinterpret_cast<uv_handle_t*>(&stream_); }
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&stream_); }
  static HaproxyProbe* self(uv_handle_t* h) {
    return static_cast<HaproxyProbe*>(static_cast<Probe*>(h->data));
  }

  void release() noexcept override { close_handle(handle()); }

  void on_connect(int status) noexcept {
    if (status == UV_ECANCELED) return;  // closed under us: cancel or timeout already decided
    if (status < 0) {
      fail("connect to " + where_ + ": " + uv_strerror(status));
      return;
    }
    uv_buf_t buf = uv_buf_init(const_cast<char*>(kHaproxyStatsCommand),
                               static_cast<unsigned>(sizeof(kHaproxyStatsCommand) - 1));
    const int rc = uv_write(&write_, stream(), &buf, 1, [](uv_write_t* req, int write_status) {
      static_cast<HaproxyProbe*>(req->data)->on_written(write_status);
    });
    if (rc != 0) fail(std::string("send show stat: ") + uv_strerror(rc));
  }

  void on_written(int status) noexcept {
    if (status == UV_ECANCELED) return;
    if (status < 0) {
      fail(std::string("send show stat: ") + uv_strerror(status));
      return;
    }
    try {
      reply_.resize(kInitialReplyBytes);
    } catch (...) {
      fail("out of memory for the stats reply");
      return;
    }
    const int rc = uv_read_start(
        stream(), [](uv_handle_t* h, std::size_t, uv_buf_t* buf) { self(h)->make_room(*buf); },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
          self(reinterpret_cast<uv_handle_t*>(s))->on_read(nread);
        });
    if (rc != 0) fail(std::string("read: ") + uv_strerror(rc));
  }

  // One byte past the parser's bound is room enough to tell "too large" from "just fits".
  void make_room(uv_buf_t& buf) noexcept {
    const std::size_t limit = kMaxHaproxyStatsBytes + 1;
    if (reply_.size() - length_ < kMinReadRoom && reply_.size() < limit) {
      try {
        reply_.resize(std::min(limit, reply_.size() * 2));
      } catch (...) {  // out of memory: read into what there is; the size check fails it
      }
    }
    buf.base = reply_.data() + length_;
    buf.len = reply_.size() - length_;
  }

  void on_read(ssize_t nread) noexcept {
    if (nread == 0) return;  // EAGAIN
    if (nread == UV_EOF) {
      conclude();
      return;
    }
    if (nread == UV_ENOBUFS) {
      fail("stats reply larger than " + std::to_string(kMaxHaproxyStatsBytes / (1024 * 1024)) +
           " MiB");
      return;
    }
    if (nread < 0) {
      fail(std::string("read: ") + uv_strerror(static_cast<int>(nread)));
      return;
    }
    length_ += static_cast<std::size_t>(nread);
    if (length_ > kMaxHaproxyStatsBytes) {
      fail("stats reply larger than " + std::to_string(kMaxHaproxyStatsBytes / (1024 * 1024)) +
           " MiB");
    }
  }

  void conclude() noexcept {
    finish(judge_haproxy_stats(std::string_view(reply_.data(), length_), target_, where_));
  }

  HaproxyTarget target_;
  bool unix_;
  Stream stream_;
  uv_connect_t connect_;
  uv_write_t write_;
  std::string where_;
  std::vector<char> reply_;
  std::size_t length_ = 0;
};

}  // namespace

ProbeResult judge_haproxy_stats(std::string_view csv, const HaproxyTarget& target,
                                const std::string& where) {
  ProbeResult result;
  try {
    HaproxyStats stats;
    const std::string bad = parse_haproxy_stats(csv, stats);
    if (!bad.empty()) {
      result.error = "stats from " + where + ": " + bad;
      return result;
    }
    HaproxyVerdict verdict = evaluate_haproxy(stats, target);
    result.ok = verdict.up;
    result.load = verdict.load;
    if (!verdict.up) result.error = std::move(verdict.reason);
  } catch (...) {
    result.ok = false;
    result.error = "out of memory while reading the stats reply";
  }
  return result;
}

Probe* start_haproxy_check(uv_loop_t* loop, const health::CheckSpec& spec,
                           const util::Address& target, ProbeDone done) {
  auto* probe = new HaproxyProbe(loop, spec, std::move(done));
  probe->start(spec, target);
  return probe;
}

}  // namespace gslbd::probe
