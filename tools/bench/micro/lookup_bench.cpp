// SPDX-License-Identifier: Apache-2.0
// Zone lookup: the zone match and the owner-name hash probe, alone and inside a whole answer,
// for a 1,000-name and a 100,000-name zone.
#include <benchmark/benchmark.h>

#include "bench_fixtures.hpp"
#include "gslbd/dns/constants.hpp"

namespace {

// Names are cycled through so that a large zone's index and nodes are not all in cache, as
// with real traffic; a power of two so the cycling is a mask.
constexpr std::size_t kNames = 8192;

// Existing host names spread over the zone (a stride prime to the zone size, not a prefix of it).
std::vector<std::string> present_names(std::uint32_t hosts) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < kNames; ++k) {
    out.push_back(bench::host_name(static_cast<std::uint32_t>(k * 7919 % hosts)));
  }
  return out;
}

std::vector<std::string> absent_names() {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < kNames; ++k)
    out.push_back("nx" + std::to_string(k) + ".example.test.");
  return out;
}

std::vector<std::string> wires(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) out.push_back(bench::wire(name));
  return out;
}

std::vector<std::vector<std::uint8_t>> requests(const std::vector<std::string>& names) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const std::string& name : names) {
    out.push_back(bench::make_query(name, gslbd::dns::type::A));
  }
  return out;
}

// What answer_query does before the RFC 1034 walk: find the zone, then the owner's node.
void find(benchmark::State& state, const std::vector<std::string>& names) {
  const auto hosts = static_cast<std::uint32_t>(state.range(0));
  const gslbd::zone::ZoneSet& zones = *bench::cached_snapshot(hosts).config->zones;
  const std::vector<std::string> lower = wires(names);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& name = lower[i++ & (kNames - 1)];
    const gslbd::zone::Zone* zone = zones.find(name);
    benchmark::DoNotOptimize(zone);
    benchmark::DoNotOptimize(zone->find(name));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ZoneFind_Present(benchmark::State& state) {
  find(state, present_names(static_cast<std::uint32_t>(state.range(0))));
}

void BM_ZoneFind_Absent(benchmark::State& state) {
  find(state, absent_names());
}

// The same names answered whole (parse, lookup, encode), to set the index cost against the rest.
void answer(benchmark::State& state, const std::vector<std::string>& names, std::uint16_t rcode) {
  const auto hosts = static_cast<std::uint32_t>(state.range(0));
  bench::Worker worker(bench::cached_snapshot(hosts));
  const auto queries = requests(names);
  // A fixture mistake would time the wrong path (REFUSED for every name), so check one answer.
  if (worker.answer(queries.front()) < gslbd::dns::kHeaderSize ||
      (worker.out()[3] & 0x0f) != rcode) {
    state.SkipWithError("the fixture's answer is not the one this benchmark is about");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(worker.answer(queries[i++ & (kNames - 1)]));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AnswerLookup_Present(benchmark::State& state) {
  answer(state, present_names(static_cast<std::uint32_t>(state.range(0))),
         gslbd::dns::rcode::NOERROR);
}

void BM_AnswerLookup_Nxdomain(benchmark::State& state) {
  answer(state, absent_names(), gslbd::dns::rcode::NXDOMAIN);
}

}  // namespace

BENCHMARK(BM_ZoneFind_Present)->Arg(1000)->Arg(100000);
BENCHMARK(BM_ZoneFind_Absent)->Arg(1000)->Arg(100000);
BENCHMARK(BM_AnswerLookup_Present)->Arg(1000)->Arg(100000);
BENCHMARK(BM_AnswerLookup_Nxdomain)->Arg(1000)->Arg(100000);
