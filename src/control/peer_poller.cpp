// SPDX-License-Identifier: Apache-2.0
#include "gslbd/control/peer_poller.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "gslbd/probe/curl_driver.hpp"
#include "peer_observations.hpp"
#include "peer_push.hpp"
#include "pool_digest.hpp"

namespace gslbd::control {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

}  // namespace

struct PeerPoller::Impl {
  // One peer: its settings as last read, its request in flight (if any) and what it said.
  struct Peer final : probe::CurlTransfer {
    Peer(Impl* o, std::string name) : owner(o), pusher(o->driver, std::move(name)) {}
    Impl* owner = nullptr;
    PeerPush pusher;  // its own transfer, beside the poll's
    runtime::PeerInstance settings;
    CURL* easy = nullptr;  // non-null while a request is in flight
    curl_slist* headers = nullptr;
    std::string url;
    std::string authorization;
    std::string body;
    std::uint32_t max_bytes = 0;
    bool oversized = false;
    char error_buffer[CURL_ERROR_SIZE] = {};

    std::optional<PeerObservations> observations;  // the last good reply
    std::string actions_error;  // why its last actions could not be read (logged on change)
    SteadyTime received{};      // when it came
    PeerReport report;
    std::uint64_t PeerReport::*trouble_counter = nullptr;  // what the last failure counted as
    long trouble_kind = 0;

    ~Peer() { cancel(); }
    void cancel() noexcept {
      if (easy == nullptr) return;
      owner->driver.remove(easy);
      release();
    }
    void release() noexcept {
      curl_easy_cleanup(easy);
      easy = nullptr;
      curl_slist_free_all(headers);
      headers = nullptr;
    }
    void on_curl_done(CURLcode code) noexcept override { owner->finished(*this, code); }
  };

  Impl(uv_loop_t* l, const runtime::SnapshotPublisher& p, probe::HealthLoop* h, OperatorState* a)
      : loop(l), publisher(p), health(h), actions(a), driver(l) {
    uv_timer_init(loop, &timer);
    timer.data = this;
  }

  void tick() noexcept;
  void sync(const runtime::PeersConfig& config);
  void poll(Peer& peer, const runtime::PeersConfig& config) noexcept;
  void finished(Peer& peer, CURLcode code) noexcept;
  // kind names the trouble without its details (which vary from poll to poll: "after 3 ms").
  void failed(Peer& peer, std::uint64_t PeerReport::*counter, std::string why,
              long kind = 0) noexcept;
  void compare_digests(Peer& peer);
  void send_votes() noexcept;
  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user);

  uv_loop_t* loop;
  const runtime::SnapshotPublisher& publisher;
  probe::HealthLoop* health;
  OperatorState* actions;
  probe::CurlDriver driver;
  uv_timer_t timer;
  bool stopped = false;
  bool round_sent = false;  // the votes of this round went to the health loop
  std::map<std::string, std::unique_ptr<Peer>> peers;  // by name
  runtime::PeersConfig settings;                       // as of the last tick
  // This instance's digests, per pool, for the generation they were computed for.
  std::uint64_t digest_generation = 0;
  std::unordered_map<std::string, std::string> own_digests;
};

void PeerPoller::Impl::sync(const runtime::PeersConfig& config) {
  for (auto it = peers.begin(); it != peers.end();) {
    const bool kept = std::any_of(config.instances.begin(), config.instances.end(),
                                  [&](const runtime::PeerInstance& p) {
                                    return p.name == it->first && p == it->second->settings;
                                  });
    it = kept ? std::next(it) : peers.erase(it);
  }
  for (const runtime::PeerInstance& instance : config.instances) {
    auto& slot = peers[instance.name];
    if (slot) continue;
    slot = std::make_unique<Peer>(this, instance.name);
    slot->settings = instance;
    slot->report.name = instance.name;
    slot->report.url = instance.url;
  }
  settings = config;
}

void PeerPoller::Impl::tick() noexcept {
  if (stopped) return;
  std::uint32_t interval = runtime::PeersConfig{}.interval_ms;
  try {
    const auto snapshot = publisher.current();
    if (snapshot && snapshot->config) {
      const runtime::Config& config = *snapshot->config;
      sync(config.peers);
      interval = config.peers.interval_ms;
      if (snapshot->generation != digest_generation && config.pools) {
        own_digests.clear();
        for (const pool::Pool& pool : config.pools->pools) {
          own_digests[pool.name] = pool_digest(*config.pools, pool);
        }
        digest_generation = snapshot->generation;
        for (auto& [name, peer] : peers) compare_digests(*peer);
      }
      for (auto& [name, peer] : peers) {
        // A request still in flight has its own timeout (below the interval); none is stacked.
        if (peer->easy == nullptr) poll(*peer, config.peers);
      }
    }
    // A round whose replies did not all come (a transfer that could not start) is sent now,
    // so that a peer removed by a reload stops voting all the same.
    if (!round_sent) send_votes();
    round_sent = false;
  } catch (const std::exception& e) {  // out of memory: try again next tick
    spdlog::warn("peers: poll skipped: {}", e.what());
  }
  uv_timer_start(
      &timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->tick(); }, interval, 0);
}

std::size_t PeerPoller::Impl::on_write(char* data, std::size_t size, std::size_t count,
                                       void* user) {
  auto* peer = static_cast<Peer*>(user);
  const std::size_t n = size * count;
  if (peer->body.size() + n > peer->max_bytes) {
    peer->oversized = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  peer->body.append(data, n);
  return n;
}

void PeerPoller::Impl::poll(Peer& peer, const runtime::PeersConfig& config) noexcept {
  peer.easy = curl_easy_init();
  if (peer.easy == nullptr) {
    failed(peer, &PeerReport::failed, "libcurl: cannot create a transfer");
    return;
  }
  try {
    std::string base = peer.settings.url;
    if (!base.empty() && base.back() == '/') base.pop_back();
    peer.url = base + "/peer/observations";
    peer.authorization = "Authorization: Bearer " + config.token;
    peer.body.clear();
  } catch (...) {
    peer.release();
    return;
  }
  peer.headers = curl_slist_append(nullptr, peer.authorization.c_str());
  peer.max_bytes = config.max_reply_bytes;
  peer.oversized = false;
  peer.error_buffer[0] = '\0';
  ++peer.report.polls;
  CURL* e = peer.easy;
  curl_easy_setopt(e, CURLOPT_URL, peer.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE,
                   static_cast<void*>(static_cast<probe::CurlTransfer*>(&peer)));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // never through a proxy from the environment
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, peer.headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_ms));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(config.max_reply_bytes));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&peer));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, peer.error_buffer);
  if (driver.add(e) != CURLM_OK) {
    peer.release();
    failed(peer, &PeerReport::failed, "libcurl: cannot start a transfer");
  }
}

void PeerPoller::Impl::failed(Peer& peer, std::uint64_t PeerReport::*counter, std::string why,
                              long kind) noexcept {
  ++(peer.report.*counter);
  // A peer that answers what cannot be read, or refuses this instance, loses its vote at once;
  // one that does not answer keeps its last observations until they are stale.
  if (counter != &PeerReport::failed) peer.observations.reset();
  try {
    // Logged when the trouble starts or changes, not at every poll of a peer that is down.
    const bool same = !peer.report.last_error.empty() && peer.trouble_counter == counter &&
                      peer.trouble_kind == kind;
    peer.trouble_counter = counter;
    peer.trouble_kind = kind;
    if (!same) {
      spdlog::warn("peers: {} ({}): {}; its observations do not vote", peer.settings.name,
                   peer.settings.url, why);
    }
    peer.report.last_error = std::move(why);
  } catch (...) {
  }
}

void PeerPoller::Impl::compare_digests(Peer& peer) {
  std::vector<std::string> differing;
  if (peer.observations) {
    for (const PeerPool& pool : peer.observations->pools) {
      const auto own = own_digests.find(pool.name);
      if (own != own_digests.end() && own->second != pool.digest) differing.push_back(pool.name);
    }
  }
  if (differing != peer.report.differing_pools && !differing.empty()) {
    std::string names;
    for (const std::string& n : differing) names += (names.empty() ? "" : ", ") + n;
    spdlog::warn("peers: {} defines pool{} {} differently; it does not vote for {}",
                 peer.settings.name, differing.size() == 1 ? "" : "s", names,
                 differing.size() == 1 ? "it" : "them");
  }
  peer.report.differing_pools = std::move(differing);
}

void PeerPoller::Impl::send_votes() noexcept {
  if (health == nullptr) return;
  try {
    probe::PeerVotes votes;
    votes.stale_after_ms = settings.stale_after_ms;
    votes.peers.reserve(peers.size());
    for (const auto& [name, peer] : peers) {
      probe::PeerVoteSource source;
      source.name = name;
      source.readable = peer->observations.has_value();
      source.received = peer->received;
      source.differing_pools = peer->report.differing_pools;
      if (peer->observations) {
        for (const PeerPool& pool : peer->observations->pools) {
          // A differing pool's members are never handed over, so they cannot be mixed in.
          if (std::find(source.differing_pools.begin(), source.differing_pools.end(), pool.name) !=
              source.differing_pools.end()) {
            continue;
          }
          for (const PeerMember& member : pool.members) {
            source.members.push_back(
                {pool.name + "/" + member.name, member.known, member.up, member.age_ms});
          }
        }
      }
      votes.peers.push_back(std::move(source));
    }
    health->peer_votes(std::move(votes));
  } catch (const std::exception& e) {  // out of memory: the next poll sends them
    spdlog::warn("peers: votes not handed to the health loop: {}", e.what());
  }
}

void PeerPoller::Impl::finished(Peer& peer, CURLcode code) noexcept {
  // Once the round's last reply is in, whatever it was, the health loop learns what every peer
  // now says: one message per round, not one per peer, since each carries every peer.
  struct SendVotes {
    Impl* impl;
    ~SendVotes() {
      for (const auto& [name, other] : impl->peers) {
        if (other->easy != nullptr) return;
      }
      impl->send_votes();
      impl->round_sent = true;
    }
  } send{this};
  long status = 0;
  curl_easy_getinfo(peer.easy, CURLINFO_RESPONSE_CODE, &status);
  const std::string detail = peer.error_buffer[0] != '\0' ? std::string(peer.error_buffer)
                                                          : std::string(curl_easy_strerror(code));
  peer.release();
  peer.report.bytes += peer.body.size();
  if (peer.oversized || code == CURLE_FILESIZE_EXCEEDED) {
    failed(peer, &PeerReport::oversized,
           "reply longer than peers.max_reply_bytes (" + std::to_string(peer.max_bytes) + ")");
    return;
  }
  if (code != CURLE_OK) {
    failed(peer, &PeerReport::failed, detail, static_cast<long>(code));
    return;
  }
  if (status == 401) {
    failed(peer, &PeerReport::unauthorized,
           "HTTP 401: the peer refused this instance's token (peers.token_file must be the "
           "same on every instance)");
    return;
  }
  if (status != 200) {
    failed(peer, &PeerReport::failed, "HTTP " + std::to_string(status), 1000 + status);
    return;
  }
  std::string why;
  try {
    auto parsed = parse_peer_observations(peer.body, why);
    if (!parsed) {
      failed(peer, &PeerReport::malformed, "malformed reply: " + why);
      return;
    }
    if (!peer.report.last_error.empty() || !peer.report.last_success) {
      spdlog::info("peers: {} ({}) answers as instance '{}'; its observations vote",
                   peer.settings.name, peer.settings.url, parsed->instance);
    }
    // The peer's operator actions: each poll reconciles, so an instance that was away catches
    // up with what was done meanwhile. A bad section costs only the actions, not the votes.
    if (!parsed->actions_error.empty()) {
      if (peer.actions_error != parsed->actions_error) {
        spdlog::warn("peers: {} ({}) sent operator actions that cannot be read ({}); ignored",
                     peer.settings.name, peer.settings.url, parsed->actions_error);
      }
    } else if (actions != nullptr && !parsed->actions.empty()) {
      actions->merge_from_peer(peer.settings.name, parsed->actions);
    }
    peer.actions_error = parsed->actions_error;
    peer.observations = std::move(parsed);
    peer.received = std::chrono::steady_clock::now();
    ++peer.report.succeeded;
    peer.report.last_error.clear();
    peer.report.last_success = std::chrono::system_clock::now();
    peer.report.instance = peer.observations->instance;
    peer.report.generation = peer.observations->generation;
    compare_digests(peer);
  } catch (...) {
    failed(peer, &PeerReport::malformed, "out of memory while reading the reply");
  }
  peer.body.clear();
  peer.body.shrink_to_fit();
}

PeerPoller::PeerPoller(uv_loop_t* loop, const runtime::SnapshotPublisher& publisher,
                       probe::HealthLoop* health, OperatorState* actions)
    : impl_(std::make_unique<Impl>(loop, publisher, health, actions)) {}

PeerPoller::~PeerPoller() {
  stop();
}

bool PeerPoller::start(std::string& error) {
  if (uv_timer_start(
          &impl_->timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->tick(); }, 0, 0) != 0) {
    error = "cannot start the peer poll timer";
    return false;
  }
  return true;
}

void PeerPoller::stop() noexcept {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->peers.clear();  // cancels every request in flight
  impl_->driver.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&impl_->timer), nullptr);
}

void PeerPoller::push(const OperatorAction& action) noexcept {
  Impl& d = *impl_;
  if (d.stopped) return;
  try {
    const auto snapshot = d.publisher.current();
    if (!snapshot || !snapshot->config) return;
    const runtime::Config& config = *snapshot->config;
    // The peers of the config in service now, not as of the last poll: a reload that added one
    // pushes to it at once.
    d.sync(config.peers);
    for (auto& [name, peer] : d.peers) {
      PeerPush::Settings settings;
      settings.url = peer->settings.url;
      settings.token = config.peers.token;
      settings.timeout_ms = config.peers.timeout_ms;
      settings.identity = config.server.identity;
      peer->pusher.push(action, settings);
    }
  } catch (const std::exception& e) {  // out of memory: the peers' polls bring it
    spdlog::warn("peers: {} not pushed: {}", action.describe(), e.what());
  }
}

PeersReport PeerPoller::report() const {
  PeersReport out;
  out.configured = !impl_->settings.instances.empty();
  const SteadyTime now = std::chrono::steady_clock::now();
  const auto stale = std::chrono::milliseconds(impl_->settings.stale_after_ms);
  bool any_fresh = false;
  for (const auto& [name, peer] : impl_->peers) {
    PeerReport r = peer->report;
    r.push = peer->pusher.report();
    r.fresh = peer->observations.has_value() && now - peer->received <= stale;
    any_fresh = any_fresh || r.fresh;
    out.peers.push_back(std::move(r));
  }
  out.own_view_only = out.configured && !any_fresh;
  return out;
}

}  // namespace gslbd::control
