// SPDX-License-Identifier: Apache-2.0
// Open-addressing index from lowercase wire names to dense numbers, built once, read without
// allocation. The names themselves live with the caller; the index stores only numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace gslbd::zone {

class NameIndex {
 public:
  // name_of(i) must return the name numbered i for i < count; names must be distinct.
  void build(std::uint32_t count, const std::function<std::string_view(std::uint32_t)>& name_of);

  // The number of the name equal to lower_wire, or 0xffffffff. name_of as given to build.
  template <typename NameOf>
  std::uint32_t find(std::string_view lower_wire, const NameOf& name_of) const noexcept {
    if (slots_.empty()) return 0xffffffffu;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(lower_wire) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) return 0xffffffffu;
      if (name_of(slot - 1) == lower_wire) return slot - 1;
    }
  }

  static std::size_t hash(std::string_view bytes) noexcept;

 private:
  std::vector<std::uint32_t> slots_;  // number + 1; 0 = empty; size is a power of two
};

}  // namespace gslbd::zone
