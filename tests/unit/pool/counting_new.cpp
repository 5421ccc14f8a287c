// SPDX-License-Identifier: Apache-2.0
// The one counting global operator new of the tests, linked into unit_pool, unit_query and
// unit_server (and any binary that proves code allocates nothing). In its own file so that the
// compiler never sees a new paired with the free() below (GCC's -Wmismatched-new-delete would
// object).
#include <atomic>
#include <cstdlib>
#include <new>

#include "counting_new.hpp"

namespace {
std::atomic<long> allocations{0};
}

long test::allocation_count() noexcept {
  return allocations.load(std::memory_order_relaxed);
}

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
