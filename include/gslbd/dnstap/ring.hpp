// SPDX-License-Identifier: Apache-2.0
// A bounded single-producer single-consumer byte ring of variable-size records: the answering
// thread pushes (no lock, no allocation, one release store), the dnstap writer thread drains.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "gslbd/dnstap/message.hpp"

namespace gslbd::dnstap {

class Ring {
 public:
  // capacity is rounded up to a power of two, at least 512 KiB and at most 1 GiB, so that a
  // record with a 64 KiB query and a 64 KiB response always fits in half of it.
  explicit Ring(std::size_t capacity);

  // Producer thread only. Copies event and the two messages in; false (nothing written) when
  // the record does not fit in the free space.
  bool push(const Event& event, const std::uint8_t* query, const std::uint8_t* response) noexcept;

  // Consumer thread only. Calls visit(event, query, response) for each record in order, at most
  // max_records of them, freeing each after its visit. Returns how many were visited.
  template <class Visit>
  std::size_t drain(Visit&& visit, std::size_t max_records) noexcept {
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    std::size_t visited = 0;
    while (tail != head && visited < max_records) {
      const std::size_t pos = static_cast<std::size_t>(tail) & mask_;
      std::uint32_t size = 0;
      std::memcpy(&size, data_.get() + pos, sizeof size);
      if (size == kWrapMarker) {
        tail += capacity() - pos;
      } else {
        Event event;
        std::memcpy(&event, data_.get() + pos + kRecordHeader, sizeof event);
        const std::uint8_t* query = data_.get() + pos + kRecordHeader + sizeof(Event);
        visit(static_cast<const Event&>(event), query,
              static_cast<const std::uint8_t*>(query + event.query_len));
        tail += size;
        ++visited;
      }
      tail_.store(tail, std::memory_order_release);
    }
    return visited;
  }

  std::size_t capacity() const noexcept { return mask_ + 1; }
  // The largest record that can ever be pushed (an event with two 64 KiB messages fits).
  std::size_t max_record() const noexcept { return capacity() / 2; }

 private:
  static constexpr std::uint32_t kWrapMarker = 0xffffffffu;
  static constexpr std::size_t kRecordHeader = 8;  // u32 size, u32 unused: keeps 8-alignment

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t mask_;
  alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the producer
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // written by the consumer
};

}  // namespace gslbd::dnstap
