// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnstap/writer.hpp"

#include <fstrm.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/uio.h>
#include <time.h>

#include <chrono>
#include <cstring>

#include "gslbd/util/sockaddr.hpp"

namespace gslbd::dnstap {
namespace {

constexpr char kContentType[] = "protobuf:dnstap.Dnstap";
constexpr std::uint64_t kRetryNs = 1'000'000'000;  // reconnect to a collector at most once a second
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr std::size_t kMaxFramesPerWrite = 256;
constexpr std::size_t kMaxRecordsPerTap = 1024;  // per round, so no tap starves the others

std::uint64_t monotonic_now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// Fills family, port and address of one side of the exchange; an IPv4-mapped IPv6 address
// is written as the IPv4 address it is. Returns the family (4, 6) or 0.
std::uint8_t put_address(const sockaddr_storage& from, std::uint8_t* address,
                         std::uint16_t& port) noexcept {
  const util::Address seen = util::client_address(from, &port);
  if (seen.family != 0) std::memcpy(address, seen.bytes.data(), seen.length());
  return seen.family;
}

fstrm_writer* make_output(const runtime::DnstapConfig& config) {
  fstrm_writer_options* options = fstrm_writer_options_init();
  fstrm_writer_options_add_content_type(options, kContentType, sizeof kContentType - 1);
  fstrm_writer* writer = nullptr;
  if (!config.socket_path.empty()) {
    fstrm_unix_writer_options* unix_options = fstrm_unix_writer_options_init();
    fstrm_unix_writer_options_set_socket_path(unix_options, config.socket_path.c_str());
    writer = fstrm_unix_writer_init(unix_options, options);
    fstrm_unix_writer_options_destroy(&unix_options);
  } else {
    fstrm_file_options* file_options = fstrm_file_options_init();
    fstrm_file_options_set_file_path(file_options, config.file_path.c_str());
    writer = fstrm_file_writer_init(file_options, options);
    fstrm_file_options_destroy(&file_options);
  }
  fstrm_writer_options_destroy(&options);
  return writer;
}

}  // namespace

std::uint64_t realtime_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

Tap::Tap(std::size_t queue_size, bool queries, bool responses)
    : ring_(queue_size), queries_(queries), responses_(responses) {}

void Tap::record(bool tcp, const sockaddr_storage& client, const sockaddr_storage* server,
                 std::uint64_t query_ns, std::uint64_t response_ns, const std::uint8_t* query,
                 std::size_t query_len, const std::uint8_t* response,
                 std::size_t response_len) noexcept {
  Event event;
  event.tcp = tcp ? 1 : 0;
  event.family = put_address(client, event.client_address, event.client_port);
  if (event.family == 0) return;
  if (server != nullptr) {
    std::uint16_t port = 0;
    if (put_address(*server, event.server_address, port) == event.family) {
      event.server_port = port;
    } else {
      std::memset(event.server_address, 0, sizeof event.server_address);
    }
  }
  event.query_time_ns = query_ns;
  event.response_time_ns = response_ns;
  // DNS messages are at most 65535 octets; anything longer is not a message we sent or took.
  if (queries_ && query_len <= 0xffff) event.query_len = static_cast<std::uint16_t>(query_len);
  if (responses_ && response_len <= 0xffff) {
    event.response_len = static_cast<std::uint16_t>(response_len);
  }
  if (event.query_len == 0 && event.response_len == 0) return;
  if (!ring_.push(event, query, response)) {
    dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
}

Writer::Writer(const runtime::DnstapConfig& config, std::string identity, std::string version)
    : config_(config), identity_(std::move(identity)), version_(std::move(version)) {}

std::unique_ptr<Writer> Writer::start(const runtime::DnstapConfig& config, std::string identity,
                                      std::string version, std::string& error) {
  std::unique_ptr<Writer> writer(new Writer(config, std::move(identity), std::move(version)));
  writer->output_ = make_output(config);
  if (writer->output_ == nullptr) {
    error = "dnstap: cannot set up the output";
    return nullptr;
  }
  if (!config.file_path.empty()) {
    if (fstrm_writer_open(writer->output_) != fstrm_res_success) {
      error = "dnstap: cannot open '" + config.file_path + "' for writing";
      fstrm_writer_destroy(&writer->output_);
      return nullptr;
    }
    writer->output_open_ = true;
  }
  writer->thread_ = std::thread([w = writer.get()] { w->run(); });
  return writer;
}

Writer::~Writer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (output_ != nullptr) {
    if (output_open_) fstrm_writer_close(output_);
    fstrm_writer_destroy(&output_);
  }
}

Tap* Writer::add_tap() {
  auto tap = std::make_unique<Tap>(config_.queue_size, config_.queries, config_.responses);
  Tap* raw = tap.get();
  const std::lock_guard lock(mutex_);
  taps_.push_back(std::move(tap));
  return raw;
}

std::uint64_t Writer::dropped() const noexcept {
  std::uint64_t total = output_dropped_.load(std::memory_order_relaxed);
  const std::lock_guard lock(mutex_);
  for (const auto& tap : taps_) total += tap->dropped();
  return total;
}

void Writer::run() noexcept {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      stopping = stopping_;
    }
    const std::size_t drained = drain_once();
    if (stopping && drained == 0) break;
    if (drained == 0) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kPollInterval, [this] { return stopping_; });
    }
  }
}

std::size_t Writer::drain_once() noexcept {
  std::size_t total = 0;
  std::vector<Tap*> taps;
  {
    const std::lock_guard lock(mutex_);
    taps.reserve(taps_.size());
    for (const auto& tap : taps_) taps.push_back(tap.get());
  }
  const std::size_t message_capacity = max_encoded_size(0xffff, identity_.size(), version_.size());
  for (Tap* tap : taps) {
    total += tap->ring().drain(
        [&](const Event& event, const std::uint8_t* query, const std::uint8_t* response) {
          for (const MessageType type : {MessageType::auth_query, MessageType::auth_response}) {
            const bool present =
                type == MessageType::auth_query ? event.query_len != 0 : event.response_len != 0;
            if (!present) continue;
            const std::size_t at = frames_.size();
            frames_.resize(at + message_capacity);
            const std::size_t len = encode(type, event, query, response, identity_, version_,
                                           frames_.data() + at, message_capacity);
            frames_.resize(at + len);
            if (len == 0) {
              output_dropped_.fetch_add(1, std::memory_order_relaxed);
              continue;
            }
            frame_ends_.push_back(frames_.size());
            if (frame_ends_.size() >= kMaxFramesPerWrite) flush_frames();
          }
        },
        kMaxRecordsPerTap);
  }
  flush_frames();
  return total;
}

bool Writer::output_ready() noexcept {
  if (output_open_) return true;
  const std::uint64_t now = monotonic_now_ns();
  if (now < retry_at_ns_) return false;
  if (fstrm_writer_open(output_) == fstrm_res_success) {
    output_open_ = true;
    spdlog::info("dnstap: writing to {}",
                 config_.socket_path.empty() ? config_.file_path : config_.socket_path);
    return true;
  }
  if (retry_at_ns_ == 0) {
    spdlog::warn("dnstap: cannot reach {}; retrying every second, dropping messages meanwhile",
                 config_.socket_path.empty() ? config_.file_path : config_.socket_path);
  }
  retry_at_ns_ = now + kRetryNs;
  return false;
}

void Writer::flush_frames() noexcept {
  if (frame_ends_.empty()) return;
  const std::size_t count = frame_ends_.size();
  if (output_ready()) {
    iovec iov[kMaxFramesPerWrite];
    std::size_t start = 0;
    for (std::size_t i = 0; i < count; ++i) {
      iov[i].iov_base = frames_.data() + start;
      iov[i].iov_len = frame_ends_[i] - start;
      start = frame_ends_[i];
    }
    if (fstrm_writer_writev(output_, iov, static_cast<int>(count)) == fstrm_res_success) {
      written_.fetch_add(count, std::memory_order_relaxed);
    } else {
      spdlog::warn("dnstap: writing to {} failed; reconnecting",
                   config_.socket_path.empty() ? config_.file_path : config_.socket_path);
      fstrm_writer_close(output_);
      output_open_ = false;
      retry_at_ns_ = monotonic_now_ns() + kRetryNs;
      output_dropped_.fetch_add(count, std::memory_order_relaxed);
    }
  } else {
    output_dropped_.fetch_add(count, std::memory_order_relaxed);
  }
  frames_.clear();
  frame_ends_.clear();
}

}  // namespace gslbd::dnstap
