// SPDX-License-Identifier: Apache-2.0
// The answering bundle: answer_one answers from the snapshot of the last refresh, counts every
// query, follows a reload at the next refresh, and allocates nothing once warm.
#include <doctest/doctest.h>

#include "../pool/counting_new.hpp"
#include "../query/test_zone.hpp"
#include "answerer.hpp"
#include "gslbd/util/clock.hpp"

namespace {

gslbd::util::Address client() {
  return *gslbd::util::parse_address("192.0.2.53");
}

std::uint16_t rcode(const std::uint8_t* answer) {
  return answer[3] & 0x0f;
}

}  // namespace

TEST_CASE("answer_one answers, counts, follows a reload and allocates nothing when warm") {
  gslbd::runtime::SnapshotPublisher publisher;
  publisher.publish(test::example_snapshot()->config);
  gslbd::server::Answerer answerer(publisher, std::uint64_t{42});
  const auto query = test::make_query("www.example.test.", 1);
  std::uint8_t answer[512];

  answerer.refresh();
  std::size_t size =
      answerer.answer_one(gslbd::query::Transport::udp, client(), query.data(), query.size(),
                          answer, sizeof answer, gslbd::util::monotonic_ns());
  REQUIRE(size > 12);
  CHECK(rcode(answer) == 0);
  CHECK((answer[2] & 0x04) != 0);  // AA
  CHECK(answerer.stats().duration_count() == 1);

  const long before = test::allocation_count();
  for (int i = 0; i < 100; ++i) {
    answerer.refresh();
    size = answerer.answer_one(gslbd::query::Transport::tcp, client(), query.data(), query.size(),
                               answer, sizeof answer, gslbd::util::monotonic_ns());
    REQUIRE(size > 12);
  }
  CHECK(test::allocation_count() == before);
  CHECK(answerer.stats().duration_count() == 101);

  // A reload to a config without the zone: the next refresh answers from it (REFUSED).
  auto empty = std::make_shared<gslbd::runtime::Config>();
  empty->zones =
      std::make_shared<gslbd::zone::ZoneSet>(std::vector<std::unique_ptr<gslbd::zone::Zone>>{});
  publisher.publish(empty);
  answerer.refresh();
  size = answerer.answer_one(gslbd::query::Transport::udp, client(), query.data(), query.size(),
                             answer, sizeof answer, gslbd::util::monotonic_ns());
  REQUIRE(size > 12);
  CHECK(rcode(answer) == 5);  // REFUSED: no zone served here
}
