// SPDX-License-Identifier: Apache-2.0
// Allocations made so far through the global operator new (counting_new.cpp replaces it).
#pragma once

namespace test {
long allocation_count() noexcept;
}
