// SPDX-License-Identifier: Apache-2.0
// Whole answers (query::answer_query, as a worker calls it) for the kinds of names gslbd serves,
// and the response writer on its own, so a regression can be placed in the encoder or before it.
#include <benchmark/benchmark.h>

#include "bench_fixtures.hpp"
#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/response_writer.hpp"

namespace {

namespace type = gslbd::dns::type;

constexpr std::uint32_t kHosts = 1000;

// A fixture mistake would time the wrong path (a REFUSED instead of a pool answer), so the
// answer's rcode and answer count are checked once before timing.
void answer(benchmark::State& state, const std::vector<std::uint8_t>& request, std::uint16_t rcode,
            std::uint16_t answers, bench::Defences defences = {}) {
  bench::Worker worker(bench::cached_snapshot(kHosts, defences));
  const std::uint8_t* out = worker.out();
  if (worker.answer(request) < gslbd::dns::kHeaderSize || (out[3] & 0x0f) != rcode ||
      ((out[6] << 8) | out[7]) != answers) {
    state.SkipWithError("the fixture's answer is not the one this benchmark is about");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(worker.answer(request));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Answer_StaticA(benchmark::State& state) {
  answer(state, bench::make_query("www.example.test.", type::A), gslbd::dns::rcode::NOERROR, 2);
}

void BM_Answer_StaticA_Edns(benchmark::State& state) {
  bench::QueryShape shape;
  shape.edns = true;
  answer(state, bench::make_query("www.example.test.", type::A, shape), gslbd::dns::rcode::NOERROR,
         2);
}

void BM_Answer_Nxdomain(benchmark::State& state) {
  answer(state, bench::make_query("nope.example.test.", type::A), gslbd::dns::rcode::NXDOMAIN, 0);
}

void BM_Answer_Weighted(benchmark::State& state) {
  answer(state, bench::make_query("app.example.test.", type::A), gslbd::dns::rcode::NOERROR, 2);
}

void BM_Answer_HashEcs(benchmark::State& state) {
  bench::QueryShape shape;
  shape.ecs_prefix = 24;
  answer(state, bench::make_query("sticky.example.test.", type::A, shape),
         gslbd::dns::rcode::NOERROR, 2);
}

// A geo answer against the static one above: the client's ECS network looked up in the geo
// map, the region order, the draw; and with closest, the distances to every member.
void BM_Answer_GeoEcs(benchmark::State& state) {
  bench::QueryShape shape;
  shape.ecs_address = "198.51.100.0";
  shape.ecs_prefix = 24;
  answer(state, bench::make_query("geo.example.test.", type::A, shape), gslbd::dns::rcode::NOERROR,
         2);
}

void BM_Answer_GeoClosestEcs(benchmark::State& state) {
  bench::QueryShape shape;
  shape.ecs_address = "198.51.100.0";
  shape.ecs_prefix = 24;
  answer(state, bench::make_query("near.example.test.", type::A, shape), gslbd::dns::rcode::NOERROR,
         2);
}

// The defences' own cost on the answer path: one query that carries a client cookie, answered
// with cookies off (the option is ignored), with cookies on (a server cookie is made and
// written), and with cookies and rate limiting on (the response is accounted too).
std::vector<std::uint8_t> cookie_query() {
  bench::QueryShape shape;
  shape.client_cookie = true;
  return bench::make_query("www.example.test.", type::A, shape);
}

void BM_Answer_Cookie_Off(benchmark::State& state) {
  answer(state, cookie_query(), gslbd::dns::rcode::NOERROR, 2, {.cookies = false});
}

void BM_Answer_Cookie_On(benchmark::State& state) {
  answer(state, cookie_query(), gslbd::dns::rcode::NOERROR, 2, {.cookies = true});
}

void BM_Answer_Cookie_RateLimit(benchmark::State& state) {
  answer(state, cookie_query(), gslbd::dns::rcode::NOERROR, 2,
         {.cookies = true, .rate_limit = true});
}

// A name outside every zone: parse, zone match, REFUSED; the floor under all other answers.
void BM_Answer_Refused(benchmark::State& state) {
  answer(state, bench::make_query("www.example.org.", type::A), gslbd::dns::rcode::REFUSED, 0);
}

// Stored-form records (rdlength, rdata) of n A records, as a zone RRset or a policy builds them.
std::vector<std::uint8_t> a_records(std::uint8_t n) {
  std::vector<std::uint8_t> out;
  for (std::uint8_t i = 0; i < n; ++i) out.insert(out.end(), {0, 4, 192, 0, 2, i});
  return out;
}

// The encoder alone for a two-record A answer with OPT: header, question (its labels become
// compression targets), one RRset whose owner compresses to a pointer.
void BM_Writer_A2(benchmark::State& state) {
  const std::string qname = bench::wire("www.example.test.");
  const auto records = a_records(2);
  std::vector<std::uint8_t> out(65535);
  gslbd::dns::OptReply opt;
  for (auto _ : state) {
    gslbd::dns::ResponseWriter writer(out.data(), out.size(), 1232);
    writer.reserve_tail(opt.size());
    writer.start(0x1234, gslbd::dns::flag::QR | gslbd::dns::flag::AA, gslbd::dns::rcode::NOERROR);
    writer.question(reinterpret_cast<const std::uint8_t*>(qname.data()), qname.size(), type::A,
                    gslbd::dns::klass::IN);
    writer.rrset(gslbd::dns::Section::answer, qname, type::A, gslbd::dns::klass::IN, 60,
                 records.data(), records.size(), 2);
    writer.opt(opt);
    benchmark::DoNotOptimize(writer.size());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// Compression search cost grows with the targets already written: sixteen RRsets with distinct
// owners (an additional section full of glue) each add a target, so the last search the longest
// list.
void BM_Writer_ManyOwners(benchmark::State& state) {
  const std::string qname = bench::wire("www.example.test.");
  const auto records = a_records(1);
  std::vector<std::string> owners;
  for (int i = 0; i < 16; ++i)
    owners.push_back(bench::wire("h" + std::to_string(i) + ".example.test."));
  std::vector<std::uint8_t> out(65535);
  for (auto _ : state) {
    gslbd::dns::ResponseWriter writer(out.data(), out.size(), out.size());
    writer.start(0x1234, gslbd::dns::flag::QR | gslbd::dns::flag::AA, gslbd::dns::rcode::NOERROR);
    writer.question(reinterpret_cast<const std::uint8_t*>(qname.data()), qname.size(), type::A,
                    gslbd::dns::klass::IN);
    for (const std::string& owner : owners) {
      writer.rrset(gslbd::dns::Section::additional, owner, type::A, gslbd::dns::klass::IN, 60,
                   records.data(), records.size(), 1);
    }
    benchmark::DoNotOptimize(writer.size());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Answer_StaticA);
BENCHMARK(BM_Answer_StaticA_Edns);
BENCHMARK(BM_Answer_Nxdomain);
BENCHMARK(BM_Answer_Weighted);
BENCHMARK(BM_Answer_HashEcs);
BENCHMARK(BM_Answer_GeoEcs);
BENCHMARK(BM_Answer_GeoClosestEcs);
BENCHMARK(BM_Answer_Refused);
BENCHMARK(BM_Answer_Cookie_Off);
BENCHMARK(BM_Answer_Cookie_On);
BENCHMARK(BM_Answer_Cookie_RateLimit);
BENCHMARK(BM_Writer_A2);
BENCHMARK(BM_Writer_ManyOwners);
