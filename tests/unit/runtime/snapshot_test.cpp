// SPDX-License-Identifier: Apache-2.0
// The publisher's generation and a worker's local copy: a refresh takes a new snapshot only
// when the generation moved, and a replaced snapshot is freed by collect() once no copy holds it.
#include <doctest/doctest.h>

#include <memory>

#include "gslbd/runtime/snapshot.hpp"

using gslbd::runtime::Config;
using gslbd::runtime::LocalSnapshot;
using gslbd::runtime::SnapshotPublisher;

TEST_CASE("publish moves the generation, a local copy follows it at its next refresh") {
  SnapshotPublisher publisher;
  CHECK(publisher.generation() == 0);
  auto first = std::make_shared<Config>();
  publisher.publish(first);
  const std::uint64_t g1 = publisher.generation();
  CHECK(g1 > 0);
  CHECK(publisher.current()->config == first);
  CHECK(publisher.current()->generation == g1);

  LocalSnapshot local(publisher);
  const gslbd::runtime::Snapshot* seen = &local.refresh();
  CHECK(seen->config == first);
  CHECK(&local.refresh() == seen);  // nothing published: the same snapshot, no lock taken

  auto second = std::make_shared<Config>();
  publisher.publish(second);
  CHECK(publisher.generation() > g1);
  CHECK(local.refresh().config == second);
  CHECK(local.refresh().generation == publisher.generation());
}

TEST_CASE("collect frees a replaced snapshot only when no local copy holds it") {
  SnapshotPublisher publisher;
  auto first = std::make_shared<Config>();
  std::weak_ptr<const Config> watch = first;
  publisher.publish(std::move(first));
  {
    LocalSnapshot local(publisher);
    local.refresh();
    publisher.publish(std::make_shared<Config>());
    CHECK(publisher.collect() == 1);  // the local copy still holds the first
    CHECK_FALSE(watch.expired());
    local.refresh();  // takes the second, lets go of the first
    CHECK(publisher.collect() == 0);
    CHECK(watch.expired());
  }
}
