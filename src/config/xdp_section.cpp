// SPDX-License-Identifier: Apache-2.0
#include "xdp_section.hpp"

#include <net/if.h>

#include <algorithm>

#include "key_table.hpp"

namespace gslbd::config::detail {
namespace {

// The kernel caps interface names at IFNAMSIZ - 1 octets and forbids '/', ':' and blanks.
bool valid_interface_name(const std::string& name) {
  return !name.empty() && name.size() < IFNAMSIZ &&
         name.find_first_of("/: \t\n") == std::string::npos;
}

// Receive queue ids are small; this bound keeps a typo from asking for millions of sockets.
constexpr std::uint64_t kMaxQueueId = 1023;
// Every queue costs a thread and a frame area: a bound on them all, across the interfaces.
constexpr std::size_t kMaxQueues = 64;
// UMEM frames per socket (4 KiB each: 256 KiB to 256 MiB) and ring entries. The kernel wants
// powers of two; a ring needs room for at least one batch of the worker's.
constexpr std::uint64_t kMinFrames = 64;
constexpr std::uint64_t kMaxFrames = 65536;

// A power of two from kMinFrames to max, read into out; an error at value otherwise.
void read_power_of_two(Diagnostics& diag, const Value& value, std::uint64_t max,
                       std::uint32_t& out) {
  const auto n = read_number(diag, value, kMinFrames, max);
  if (!n) return;
  if ((*n & (*n - 1)) != 0) {
    diag.error(value.mark, value.label + ": " + std::to_string(*n) +
                               " is not a power of two, expected one of 64, 128, ... " +
                               std::to_string(max));
    return;
  }
  out = static_cast<std::uint32_t>(*n);
}

std::size_t queues_in_all(const runtime::XdpConfig& xdp) {
  std::size_t total = 0;
  for (const auto& interface : xdp.interfaces) total += interface.queues.size();
  return total;
}

void read_queues(Diagnostics& diag, const Value& value, runtime::XdpInterface& interface,
                 std::size_t earlier) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  interface.queues.clear();
  for (const Value& item : *items) {
    if (earlier + interface.queues.size() == kMaxQueues) {
      diag.error(item.mark, item.label + ": more than " + std::to_string(kMaxQueues) +
                                " queues in all (one AF_XDP socket and thread each)");
      return;
    }
    const auto queue = read_number(diag, item, 0, kMaxQueueId);
    if (!queue) continue;
    const auto id = static_cast<std::uint32_t>(*queue);
    if (std::find(interface.queues.begin(), interface.queues.end(), id) != interface.queues.end()) {
      diag.error(item.mark, item.label + ": queue " + std::to_string(id) + " is listed twice");
      continue;
    }
    interface.queues.push_back(id);
  }
}

void read_interfaces(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  for (const Value& item : *items) {
    const MapReader map(diag, item, {"name", "queues"});
    if (!map.is_map()) continue;
    runtime::XdpInterface interface;
    const auto name_value = map.require("name");
    if (!name_value) continue;
    const auto name = read_string(diag, *name_value);
    if (!name) continue;
    if (!valid_interface_name(*name)) {
      diag.error(name_value->mark, "'name': expected an interface name (1 to " +
                                       std::to_string(IFNAMSIZ - 1) +
                                       " characters without '/', ':' or blanks)");
      continue;
    }
    const bool listed = std::any_of(xdp.interfaces.begin(), xdp.interfaces.end(),
                                    [&](const auto& other) { return other.name == *name; });
    if (listed) {
      diag.error(name_value->mark, "'name': interface '" + *name + "' is listed twice");
      continue;
    }
    interface.name = *name;
    if (const auto queues = map.find("queues")) {
      read_queues(diag, *queues, interface, queues_in_all(xdp));
    } else if (queues_in_all(xdp) == kMaxQueues) {
      diag.error(item.mark, item.label + ": more than " + std::to_string(kMaxQueues) +
                                " queues in all (one AF_XDP socket and thread each)");
      continue;
    }
    xdp.interfaces.push_back(std::move(interface));
  }
}

void read_addresses(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  for (const Value& item : *items) {
    const auto text = read_string(diag, item);
    if (!text) continue;
    const auto address = util::parse_address(*text);
    if (!address) {
      diag.error(item.mark,
                 item.label + ": expected an IPv4 or IPv6 address, not " + quoted(*text));
      continue;
    }
    if (std::find(xdp.addresses.begin(), xdp.addresses.end(), *address) != xdp.addresses.end()) {
      diag.error(item.mark, item.label + ": '" + *text + "' is listed twice");
      continue;
    }
    xdp.addresses.push_back(*address);
  }
}

// A ring longer than the frames could never be full: at most `frames` entries. The rows below
// come after `frames` in the table, so it is known here.
void read_ring_size(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp,
                    std::uint32_t& size) {
  read_power_of_two(diag, value, kMaxFrames, size);
  if (size > xdp.frames) {
    diag.error(value.mark, value.label + ": " + std::to_string(size) +
                               " entries, expected at most 'frames' (" +
                               std::to_string(xdp.frames) + ")");
  }
}

constexpr Key<runtime::XdpConfig> kXdpKeys[] = {
    {"interfaces", read_interfaces, true},
    {"addresses", read_addresses, true},
    {"port", [](Diagnostics& diag, const Value& v,
                runtime::XdpConfig& xdp) { read_in_range(diag, v, 1, 65535, xdp.port); }},
    {"mode",
     [](Diagnostics& diag, const Value& v, runtime::XdpConfig& xdp) {
       if (const auto* entry = read_choice(diag, v, runtime::kXdpModeNames)) xdp.mode = entry->mode;
     }},
    {"zero_copy", [](Diagnostics& diag, const Value& v,
                     runtime::XdpConfig& xdp) { read_flag(diag, v, xdp.zero_copy); }},
    {"required", [](Diagnostics& diag, const Value& v,
                    runtime::XdpConfig& xdp) { read_flag(diag, v, xdp.required); }},
    {"frames", [](Diagnostics& diag, const Value& v,
                  runtime::XdpConfig& xdp) { read_power_of_two(diag, v, kMaxFrames, xdp.frames); }},
    {"rx_ring_size",
     [](Diagnostics& diag, const Value& v, runtime::XdpConfig& xdp) {
       read_ring_size(diag, v, xdp, xdp.rx_ring_size);
     }},
    {"tx_ring_size",
     [](Diagnostics& diag, const Value& v, runtime::XdpConfig& xdp) {
       read_ring_size(diag, v, xdp, xdp.tx_ring_size);
     }},
};

}  // namespace

void read_xdp(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp) {
  const MapReader map(diag, value, key_names(kXdpKeys));
  if (!map.is_map()) return;
  read_keys(diag, map, kXdpKeys, xdp);
  // A ring size left to its default follows a smaller frame count.
  if (!map.find("rx_ring_size")) xdp.rx_ring_size = std::min(xdp.rx_ring_size, xdp.frames);
  if (!map.find("tx_ring_size")) xdp.tx_ring_size = std::min(xdp.tx_ring_size, xdp.frames);
}

std::vector<std::string_view> xdp_key_names() {
  return key_names(kXdpKeys);
}

}  // namespace gslbd::config::detail
