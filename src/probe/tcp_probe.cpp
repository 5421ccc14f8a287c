// SPDX-License-Identifier: Apache-2.0
#include "tcp_probe.hpp"

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "sockaddr.hpp"

namespace gslbd::probe {
namespace {

class TcpProbe final : public Probe {
 public:
  TcpProbe(uv_loop_t* loop, std::uint32_t timeout_ms, TcpExchange exchange, ProbeDone done)
      : Probe(loop, timeout_ms, std::move(done)), exchange_(std::move(exchange)) {
    uv_tcp_init(loop_, &tcp_);
    own_handle(reinterpret_cast<uv_handle_t*>(&tcp_));
    connect_.data = this;
    write_.data = this;
    if (exchange_.max_read == 0) exchange_.max_read = 1;
    if (exchange_.read != TcpExchange::Read::nothing) buffer_.resize(exchange_.max_read);
  }

  void start(const util::Address& target, std::uint16_t port) noexcept {
    arm_timeout();
    sockaddr_storage address;
    if (port == 0 || !to_sockaddr(target, port, address)) {
      fail_soon("no target address or port");
      return;
    }
    const int rc = uv_tcp_connect(&connect_, &tcp_, reinterpret_cast<const sockaddr*>(&address),
                                  [](uv_connect_t* req, int status) {
                                    static_cast<TcpProbe*>(req->data)->on_connect(status);
                                  });
    if (rc != 0) fail_soon(std::string("connect: ") + uv_strerror(rc));
  }

 private:
  static TcpProbe* self(uv_handle_t* handle) {
    return static_cast<TcpProbe*>(static_cast<Probe*>(handle->data));
  }

  void release() noexcept override { close_handle(reinterpret_cast<uv_handle_t*>(&tcp_)); }

  void on_connect(int status) noexcept {
    if (status == UV_ECANCELED) return;  // closed under us: cancel or timeout already decided
    if (status < 0) {
      fail(std::string("connect: ") + uv_strerror(status));
      return;
    }
    if (!exchange_.send.empty()) {
      uv_buf_t buf =
          uv_buf_init(exchange_.send.data(), static_cast<unsigned>(exchange_.send.size()));
      const int rc = uv_write(&write_, stream(), &buf, 1, [](uv_write_t* req, int write_status) {
        static_cast<TcpProbe*>(req->data)->on_written(write_status);
      });
      if (rc != 0) fail(std::string("send: ") + uv_strerror(rc));
      return;
    }
    after_send();
  }

  void on_written(int status) noexcept {
    if (status == UV_ECANCELED) return;
    if (status < 0) {
      fail(std::string("send: ") + uv_strerror(status));
      return;
    }
    after_send();
  }

  void after_send() noexcept {
    if (exchange_.read == TcpExchange::Read::nothing) {
      finish(ok_result());
      return;
    }
    const int rc = uv_read_start(
        stream(),
        [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
          TcpProbe* probe = self(handle);
          buf->base = probe->buffer_.data() + probe->length_;
          buf->len = probe->buffer_.size() - probe->length_;
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
          self(reinterpret_cast<uv_handle_t*>(s))->on_read(nread);
        });
    if (rc != 0) fail(std::string("read: ") + uv_strerror(rc));
  }

  void on_read(ssize_t nread) noexcept {
    if (nread == 0) return;  // EAGAIN
    if (nread == UV_EOF) {
      end_of_data(true);
      return;
    }
    if (nread < 0) {
      fail(std::string("read: ") + uv_strerror(static_cast<int>(nread)));
      return;
    }
    const std::size_t before = length_;
    length_ += static_cast<std::size_t>(nread);
    const std::string_view data(buffer_.data(), length_);
    if (exchange_.read == TcpExchange::Read::expect) {
      // Search only where a new match can start.
      const std::size_t from =
          before >= exchange_.expect.size() ? before - exchange_.expect.size() + 1 : 0;
      if (data.find(exchange_.expect, from) != std::string_view::npos) {
        finish(ok_result());
        return;
      }
    } else if (data.find('\n', before) != std::string_view::npos) {
      end_of_data(false);
      return;
    }
    if (length_ == buffer_.size()) end_of_data(false);
  }

  void end_of_data(bool eof) noexcept {
    if (exchange_.read == TcpExchange::Read::expect) {
      fail(eof ? "connection closed before the expected reply"
               : "expected reply not within the first " + std::to_string(buffer_.size()) +
                     " bytes");
      return;
    }
    std::string_view line(buffer_.data(), length_);
    const auto newline = line.find('\n');
    if (newline != std::string_view::npos) line = line.substr(0, newline);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ProbeResult result = ok_result();
    if (exchange_.interpret) exchange_.interpret(line, result);
    finish(std::move(result));
  }

  ProbeResult ok_result() const noexcept {
    ProbeResult result;
    result.ok = true;
    result.rtt_us = elapsed_us();
    return result;
  }

  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  TcpExchange exchange_;
  uv_tcp_t tcp_;
  uv_connect_t connect_;
  uv_write_t write_;
  std::vector<char> buffer_;
  std::size_t length_ = 0;
};

}  // namespace

Probe* start_tcp_probe(uv_loop_t* loop, const util::Address& target, std::uint16_t port,
                       std::uint32_t timeout_ms, TcpExchange exchange, ProbeDone done) {
  auto* probe = new TcpProbe(loop, timeout_ms, std::move(exchange), std::move(done));
  probe->start(target, port);
  return probe;
}

Probe* start_tcp_check(uv_loop_t* loop, const health::CheckSpec& spec, const util::Address& target,
                       ProbeDone done) {
  TcpExchange exchange;
  exchange.send = spec.send;
  if (!spec.expect.empty()) {
    exchange.read = TcpExchange::Read::expect;
    exchange.expect = spec.expect;
    exchange.max_read = spec.expect.size() > 4096 ? spec.expect.size() : 4096;
  }
  return start_tcp_probe(loop, target, spec.port, spec.timeout_ms, std::move(exchange),
                         std::move(done));
}

}  // namespace gslbd::probe
