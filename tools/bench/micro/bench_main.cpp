// SPDX-License-Identifier: Apache-2.0
// Entry point of gslbd-bench-micro; the benchmarks register themselves from their own files.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
