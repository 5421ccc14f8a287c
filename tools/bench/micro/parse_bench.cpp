// SPDX-License-Identifier: Apache-2.0
// Query parsing alone: the first thing every request costs, before any zone is looked at.
#include <benchmark/benchmark.h>

#include "bench_fixtures.hpp"
#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/query.hpp"

namespace {

void parse(benchmark::State& state, const std::vector<std::uint8_t>& request) {
  gslbd::dns::Query query;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gslbd::dns::parse_query(request.data(), request.size(), query));
    benchmark::DoNotOptimize(query);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(request.size()));
}

void BM_Parse_PlainA(benchmark::State& state) {
  parse(state, bench::make_query("www.example.test.", gslbd::dns::type::A));
}

// Mixed case: the parser keeps the client's spelling and a lower-cased copy for lookups.
void BM_Parse_MixedCaseA(benchmark::State& state) {
  parse(state, bench::make_query("WwW.ExAmPlE.TeSt.", gslbd::dns::type::A));
}

void BM_Parse_Edns(benchmark::State& state) {
  bench::QueryShape shape;
  shape.edns = true;
  parse(state, bench::make_query("www.example.test.", gslbd::dns::type::A, shape));
}

// What a public resolver sends: EDNS0 with a /24 client subnet.
void BM_Parse_EdnsEcs(benchmark::State& state) {
  bench::QueryShape shape;
  shape.ecs_prefix = 24;
  parse(state, bench::make_query("sticky.example.test.", gslbd::dns::type::A, shape));
}

// A long name (five labels of 40 octets): parse cost grows with name length (copy, lower-case).
void BM_Parse_LongName(benchmark::State& state) {
  const std::string label(40, 'a');
  std::string name;
  for (int i = 0; i < 5; ++i) name += label + ".";
  parse(state, bench::make_query(name + "example.test.", gslbd::dns::type::A));
}

}  // namespace

BENCHMARK(BM_Parse_PlainA);
BENCHMARK(BM_Parse_MixedCaseA);
BENCHMARK(BM_Parse_Edns);
BENCHMARK(BM_Parse_EdnsEcs);
BENCHMARK(BM_Parse_LongName);
