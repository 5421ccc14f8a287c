// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnstap/ring.hpp"

#include <algorithm>

namespace gslbd::dnstap {
namespace {

constexpr std::size_t kMinCapacity = std::size_t{512} << 10;
constexpr std::size_t kMaxCapacity = std::size_t{1} << 30;

std::size_t round_capacity(std::size_t wanted) {
  std::size_t capacity = kMinCapacity;
  while (capacity < std::min(wanted, kMaxCapacity)) capacity <<= 1;
  return capacity;
}

}  // namespace

Ring::Ring(std::size_t capacity)
    : data_(new std::uint8_t[round_capacity(capacity)]), mask_(round_capacity(capacity) - 1) {}

bool Ring::push(const Event& event, const std::uint8_t* query,
                const std::uint8_t* response) noexcept {
  const std::size_t payload = kRecordHeader + sizeof(Event) + event.query_len + event.response_len;
  const std::size_t size = (payload + 7) & ~std::size_t{7};
  if (size > max_record()) return false;
  std::uint64_t head = head_.load(std::memory_order_relaxed);
  const std::uint64_t tail = tail_.load(std::memory_order_acquire);
  std::size_t pos = static_cast<std::size_t>(head) & mask_;
  const std::size_t to_end = capacity() - pos;
  const std::size_t needed = to_end < size ? to_end + size : size;
  if (capacity() - static_cast<std::size_t>(head - tail) < needed) return false;
  if (to_end < size) {
    // Records are contiguous: the rest of the ring is skipped, marked by a wrap marker (every
    // position is 8-aligned, so at least 8 octets remain for it).
    std::memcpy(data_.get() + pos, &kWrapMarker, sizeof kWrapMarker);
    head += to_end;
    pos = 0;
  }
  std::uint8_t* at = data_.get() + pos;
  const auto size32 = static_cast<std::uint32_t>(size);
  std::memcpy(at, &size32, sizeof size32);
  std::memcpy(at + kRecordHeader, &event, sizeof event);
  at += kRecordHeader + sizeof event;
  if (event.query_len != 0) std::memcpy(at, query, event.query_len);
  if (event.response_len != 0) std::memcpy(at + event.query_len, response, event.response_len);
  head_.store(head + size, std::memory_order_release);
  return true;
}

}  // namespace gslbd::dnstap
