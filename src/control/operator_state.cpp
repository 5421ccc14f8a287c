// SPDX-License-Identifier: Apache-2.0
#include "gslbd/control/operator_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "force_timers.hpp"
#include "operator_actions.hpp"
#include "state_file.hpp"

namespace gslbd::control {
namespace {

// A peer's record stamped further ahead of this instance's clock than this is refused: it
// would win over every later action until the clocks met.
constexpr std::uint64_t kMaxClockAheadMs = 5 * 60 * 1000;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

struct OperatorState::Impl {
  Impl(uv_loop_t* loop, const runtime::SnapshotPublisher* p, probe::HealthLoop* h, std::string d)
      : publisher(p), health(h), directory(std::move(d)), timers(loop) {}

  const runtime::SnapshotPublisher* publisher;
  probe::HealthLoop* health;
  std::string directory;
  ForceTimers timers;
  ActionSet set;
  std::uint64_t seq = 0;  // this instance's last sequence number
  OperatorStateReport report;
  std::function<void(const OperatorAction&)> taken;

  std::string identity() const {
    const auto snapshot = publisher != nullptr ? publisher->current() : nullptr;
    return snapshot && snapshot->config ? snapshot->config->server.identity : std::string();
  }

  // The member is in the config in service.
  bool exists(const std::string& pool, const std::string& member) const {
    const auto snapshot = publisher != nullptr ? publisher->current() : nullptr;
    if (!snapshot || !snapshot->config || !snapshot->config->pools) return false;
    const pool::PoolSet& pools = *snapshot->config->pools;
    const std::int32_t index = pools.find(pool);
    if (index < 0) return false;
    const auto& members = pools.pools[static_cast<std::size_t>(index)].members;
    return std::any_of(members.begin(), members.end(),
                       [&](const pool::Member& m) { return m.name == member; });
  }

  // Hands the record to the health loop and arms its expiry. False if the loop's queue is full.
  bool apply(const OperatorAction& a) {
    if (health == nullptr) return true;
    const std::string key = a.pool + "/" + a.member;
    const std::string timer = std::string(action_kind_name(a.kind)) + " " + key;
    timers.cancel(timer);
    const std::uint64_t now = now_ms();
    const bool clear = a.clears(now);
    bool queued = false;
    switch (a.kind) {
      case ActionKind::drain:
        return health->drain(key, a.value == 1);
      case ActionKind::force:
        queued = health->force(key, clear ? std::nullopt : std::optional<bool>(a.value == 1));
        break;
      case ActionKind::weight:
        queued = health->weight(
            key, clear ? std::nullopt
                       : std::optional<std::uint32_t>(static_cast<std::uint32_t>(a.value)));
        break;
    }
    if (!queued || clear || a.expires_at_ms == 0) return queued;
    probe::HealthLoop* loop = health;
    const ActionKind kind = a.kind;
    if (!timers.arm(timer, a.expires_at_ms - now, [loop, key, kind] {
          spdlog::info("operator state: {} of {} expired", action_kind_name(kind), key);
          if (kind == ActionKind::force) {
            loop->force(key, std::nullopt);
          } else {
            loop->weight(key, std::nullopt);
          }
        })) {
      spdlog::warn("operator state: too many pending expiries; {} of {} undone at once",
                   action_kind_name(kind), key);
      if (kind == ActionKind::force) {
        health->force(key, std::nullopt);
      } else {
        health->weight(key, std::nullopt);
      }
    }
    return true;
  }

  void write() {
    if (directory.empty()) return;
    std::string error;
    if (replace_file(directory, kStateFileName, render_state(identity(), seq, set), error)) {
      ++report.writes;
      report.last_write_error.clear();
      return;
    }
    ++report.write_failures;
    if (report.last_write_error != error) {
      spdlog::error(
          "operator state: cannot write the state file: {}; actions are kept in "
          "memory only until a write succeeds",
          error);
    }
    report.last_write_error = error;
  }
};

OperatorState::OperatorState(uv_loop_t* loop, const runtime::SnapshotPublisher* publisher,
                             probe::HealthLoop* health, std::string state_directory)
    : impl_(std::make_unique<Impl>(loop, publisher, health, std::move(state_directory))) {
  if (!impl_->directory.empty()) {
    impl_->report.file = impl_->directory + "/" + kStateFileName;
  }
}

OperatorState::~OperatorState() = default;

void OperatorState::load() {
  Impl& d = *impl_;
  if (d.directory.empty()) {
    spdlog::info(
        "operator state: no state directory (server.state_directory, or $STATE_DIRECTORY from "
        "systemd); drains, forces and weights last until the process ends");
    return;
  }
  std::string text;
  std::string error;
  switch (read_bounded(d.report.file, kMaxStateFileBytes, text, error)) {
    case ReadOutcome::missing:
      spdlog::info("operator state: {} does not exist yet; no actions to restore", d.report.file);
      return;
    case ReadOutcome::failed:
      d.report.load_error = error;
      spdlog::error("operator state: {}; ignored, starting without saved actions", error);
      return;
    case ReadOutcome::ok:
      break;
  }
  auto document = parse_state(text, error);
  if (!document) {
    d.report.load_error = d.report.file + ": " + error;
    spdlog::error("operator state: {}: {}; ignored, starting without saved actions", d.report.file,
                  error);
    return;
  }
  const std::uint64_t now = now_ms();
  const std::string self = d.identity();
  if (document->instance == self) d.seq = document->seq;
  for (const OperatorAction& a : document->actions) {
    if (a.origin == self) d.seq = std::max(d.seq, a.seq);
    if (!d.exists(a.pool, a.member)) {
      ++d.report.dropped;
      spdlog::warn("operator state: {} dropped: no such member in the config", a.describe());
      continue;
    }
    if (a.expires_at_ms != 0 && a.expires_at_ms <= now) {
      ++d.report.dropped;
      spdlog::info("operator state: {} dropped: it has expired", a.describe());
      continue;
    }
    if (!d.set.merge(a)) continue;
    ++d.report.loaded;
    d.apply(a);
    spdlog::info("operator state: restored {} (taken on {})", a.describe(), a.origin);
  }
  if (d.report.dropped > 0) d.write();
}

OperatorState::Outcome OperatorState::take(ActionKind kind, const std::string& pool,
                                           const std::string& member, std::int64_t value,
                                           std::uint64_t expires_in_ms) {
  Impl& d = *impl_;
  OperatorAction a;
  a.pool = pool;
  a.member = member;
  a.kind = kind;
  a.value = value;
  a.origin = d.identity();
  a.at_ms = now_ms();
  // Always newer than the record it replaces (which may come from a peer whose clock is ahead
  // or whose sequence numbers are higher), whatever this clock did since.
  if (const OperatorAction* before = d.set.find(pool, member, kind)) {
    a.at_ms = std::max(a.at_ms, before->at_ms + 1);
  }
  a.expires_at_ms = expires_in_ms == 0 ? 0 : a.at_ms + expires_in_ms;
  a.seq = ++d.seq;
  if (!d.set.merge(a)) return Outcome::too_many;
  const bool queued = d.apply(a);
  d.write();
  // Kept even when the health loop's queue was full: the record is here and travels to the
  // peers all the same (they apply it on their own health loops).
  if (d.taken) d.taken(a);
  return queued ? Outcome::ok : Outcome::queue_full;
}

MergeCounts OperatorState::merge_from_peer(const std::string& peer,
                                           const std::vector<OperatorAction>& actions) {
  Impl& d = *impl_;
  const std::uint64_t now = now_ms();
  MergeCounts counts;
  for (const OperatorAction& a : actions) {
    const OperatorAction* mine = d.set.find(a.pool, a.member, a.kind);
    if (mine != nullptr && !newer(a, *mine)) {
      ++counts.older;
      continue;
    }
    if (a.at_ms > now + kMaxClockAheadMs) {
      ++counts.refused;
      ++d.report.peer_refused;
      spdlog::warn("operator state: {} from peer {} refused: stamped {} s in the future",
                   a.describe(), peer, (a.at_ms - now) / 1000);
      continue;
    }
    if (!d.exists(a.pool, a.member) || !d.set.merge(a)) {
      ++counts.refused;
      ++d.report.peer_refused;
      continue;
    }
    ++counts.taken;
    ++d.report.peer_adopted;
    d.apply(a);
    spdlog::info("operator state: {} (taken on {}) adopted from peer {}", a.describe(), a.origin,
                 peer);
  }
  if (counts.taken > 0) d.write();
  return counts;
}

void OperatorState::on_taken(std::function<void(const OperatorAction&)> callback) {
  impl_->taken = std::move(callback);
}

void OperatorState::config_changed() {
  Impl& d = *impl_;
  std::vector<ActionSet::Key> gone;
  for (const auto& [key, a] : d.set.records()) {
    if (!d.exists(a.pool, a.member)) gone.push_back(key);
  }
  for (const ActionSet::Key& key : gone) {
    const OperatorAction& a = *d.set.find(std::get<0>(key), std::get<1>(key), std::get<2>(key));
    spdlog::warn("operator state: {} dropped: the member is no longer in the config", a.describe());
    d.timers.cancel(std::string(action_kind_name(a.kind)) + " " + a.pool + "/" + a.member);
    d.set.erase(key);
  }
  if (!gone.empty()) d.write();
}

void OperatorState::stop() noexcept {
  impl_->timers.close_all();
}

const ActionSet& OperatorState::actions() const noexcept {
  return impl_->set;
}

OperatorStateReport OperatorState::report() const {
  return impl_->report;
}

}  // namespace gslbd::control
