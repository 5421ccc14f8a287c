// SPDX-License-Identifier: Apache-2.0
// The icmp check type: echo request/reply over one raw socket per address family, shared by
// every icmp probe of the loop; replies are matched by (identifier, sequence, source). Raw
// sockets need CAP_NET_RAW; without it every icmp probe fails with one clear error, logged
// once. Health loop thread only; see probe.hpp for the lifetime rules.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/util/address.hpp"
#include "probe.hpp"

namespace gslbd::probe {

class IcmpProbe;

class IcmpDriver {
 public:
  // `identifier` tells our echoes from other pingers' (tests run several loops at once).
  IcmpDriver(uv_loop_t* loop, std::uint16_t identifier);
  ~IcmpDriver();
  IcmpDriver(const IcmpDriver&) = delete;
  IcmpDriver& operator=(const IcmpDriver&) = delete;

  // Sends one echo request for `probe`; returns an error text, or empty on success.
  std::string send(IcmpProbe* probe, const util::Address& target, std::uint16_t& sequence);
  void forget(std::uint16_t sequence) noexcept;
  void close() noexcept;

 private:
  struct Socket {
    IcmpDriver* driver = nullptr;
    int family = 0;
    int fd = -1;
    bool tried = false;
    bool polling = false;
    std::string error;
    uv_poll_t poll;
  };
  Socket* socket_for(std::uint8_t family);
  void on_readable(Socket& socket) noexcept;

  uv_loop_t* loop_;
  std::uint16_t identifier_;
  std::uint16_t next_sequence_ = 0;
  Socket v4_;
  Socket v6_;
  // Bounded by the 16-bit sequence space (and in practice by max_in_flight).
  std::unordered_map<std::uint16_t, IcmpProbe*> pending_;
};

Probe* start_icmp_check(uv_loop_t* loop, IcmpDriver& driver, const health::CheckSpec& spec,
                        const util::Address& target, ProbeDone done);

}  // namespace gslbd::probe
