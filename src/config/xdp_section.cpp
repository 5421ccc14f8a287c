// SPDX-License-Identifier: Apache-2.0
#include "xdp_section.hpp"

#include <net/if.h>

#include <algorithm>

#include "suggest.hpp"

namespace gslbd::config::detail {
namespace {

// The kernel caps interface names at IFNAMSIZ - 1 octets and forbids '/', ':' and blanks.
bool valid_interface_name(const std::string& name) {
  return !name.empty() && name.size() < IFNAMSIZ &&
         name.find_first_of("/: \t\n") == std::string::npos;
}

// Receive queue ids are small; this bound keeps a typo from asking for millions of sockets.
constexpr std::uint64_t kMaxQueueId = 1023;

void read_queues(Diagnostics& diag, const Value& value, runtime::XdpInterface& interface) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  interface.queues.clear();
  for (const Value& item : *items) {
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
    if (const auto queues = map.find("queues")) read_queues(diag, *queues, interface);
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

}  // namespace

void read_xdp(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp) {
  const MapReader map(diag, value, {"interfaces", "port", "addresses", "mode", "zero_copy"});
  if (!map.is_map()) return;
  if (const auto v = map.require("interfaces")) read_interfaces(diag, *v, xdp);
  if (const auto v = map.require("addresses")) read_addresses(diag, *v, xdp);
  if (const auto v = map.find("port")) {
    if (const auto n = read_number(diag, *v, 1, 65535)) xdp.port = static_cast<std::uint16_t>(*n);
  }
  if (const auto v = map.find("mode")) {
    if (const auto mode = read_string(diag, *v)) {
      const std::vector<std::string_view> modes{"auto", "native", "generic"};
      if (*mode == "auto") {
        xdp.mode = runtime::XdpMode::automatic;
      } else if (*mode == "native") {
        xdp.mode = runtime::XdpMode::native;
      } else if (*mode == "generic") {
        xdp.mode = runtime::XdpMode::generic;
      } else {
        diag.error(v->mark, "'mode': unknown XDP mode " + quoted(*mode) +
                                ", expected auto, native or generic" + suggestion(*mode, modes));
      }
    }
  }
  if (const auto v = map.find("zero_copy")) {
    if (v->node.IsScalar() && (v->node.Scalar() == "true" || v->node.Scalar() == "false")) {
      xdp.zero_copy = v->node.Scalar() == "true";
    } else {
      diag.error(v->mark, "'zero_copy': expected true or false");
    }
  }
}

}  // namespace gslbd::config::detail
