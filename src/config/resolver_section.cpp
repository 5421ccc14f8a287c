// SPDX-License-Identifier: Apache-2.0
#include "resolver_section.hpp"

#include <algorithm>
#include <string>

namespace gslbd::config::detail {

void read_resolver(Diagnostics& diag, const Value& value,
                   std::vector<runtime::ListenAddress>& out) {
  const auto items = read_list(diag, value, true);
  if (!items) return;
  if (items->size() > kMaxResolvers) {
    diag.error(value.mark, "'resolver': " + std::to_string(items->size()) +
                               " resolvers, expected at most " + std::to_string(kMaxResolvers));
    return;
  }
  read_address_list(diag, *items, out);
}

void read_address_list(Diagnostics& diag, const std::vector<Value>& items,
                       std::vector<runtime::ListenAddress>& out) {
  out.clear();
  for (const Value& item : items) {
    const auto text = read_string(diag, item);
    if (!text) continue;
    runtime::ListenAddress address;
    std::string why;
    if (!runtime::parse_listen_address(*text, address, why)) {
      diag.error(item.mark, item.label + ": " + why);
      continue;
    }
    if (std::find(out.begin(), out.end(), address) != out.end()) {
      diag.error(item.mark, item.label + ": " + quoted(*text) + " is listed twice");
      continue;
    }
    out.push_back(address);
  }
}

}  // namespace gslbd::config::detail
