// SPDX-License-Identifier: Apache-2.0
#include "xdp_worker.hpp"

#include <arpa/inet.h>
#include <linux/if_xdp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include <cerrno>
#include <cstring>

#include "gslbd/dnstap/writer.hpp"
#include "gslbd/util/clock.hpp"
#include "udp_batch.hpp"
#include "xdp_frame.hpp"

namespace gslbd::server {

struct XdpRings {
  xsk_ring_prod fill{};
  xsk_ring_cons completion{};
  xsk_ring_cons rx{};
  xsk_ring_prod tx{};
};

namespace {

// An idle worker wakes this often, as a UDP receiver does: to let go of a replaced snapshot
// and to report suppressed query-log lines.
constexpr int kIdleWakeupMs = 1000;

// XDP_MAX_TX_SKB_BUDGET of <linux/if_xdp.h> (Linux 6.17 and later; Debian 12's headers
// predate it): how many frames one kick sends in copy mode, 32 unless set.
constexpr int kXdpMaxTxSkbBudget = 9;

std::string socket_error(const std::string& name, std::uint32_t queue, int err, bool zero_copy) {
  std::string text = "cannot open an AF_XDP socket on " + name + " queue " + std::to_string(queue) +
                     ": " + std::strerror(err);
  if (err == EAFNOSUPPORT) text += " (the kernel has no AF_XDP sockets: CONFIG_XDP_SOCKETS)";
  if (err == EPERM || err == EACCES) text += " (needs root, or CAP_NET_RAW and CAP_NET_ADMIN)";
  if (err == EINVAL) text += " (no such receive queue?)";
  if (zero_copy && (err == EOPNOTSUPP || err == ENOTSUP)) {
    text += " (the driver has no zero-copy mode: set xdp.zero_copy: false)";
  }
  return text;
}

// A frame's address and port as a socket address, for dnstap.
sockaddr_storage socket_address(const util::Address& address, std::uint16_t port) noexcept {
  sockaddr_storage out{};
  if (address.family == 4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes.data(), 4);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
  }
  return out;
}

}  // namespace

XdpWorker::XdpWorker(const runtime::SnapshotPublisher& publisher, unsigned lane, std::size_t mtu,
                     std::uint32_t frames)
    // Shard numbers past any worker count keep these answerers' random draws apart.
    : answerer_(publisher, 0x10000u, lane),
      mtu_(mtu),
      frames_(frames),
      rings_(std::make_unique<XdpRings>()),
      answer_(new std::uint8_t[UdpBatch::kAnswerSize]) {}

std::unique_ptr<XdpWorker> XdpWorker::open(const runtime::XdpConfig& xdp, const std::string& name,
                                           std::uint32_t queue, int socket_map_fd, std::size_t mtu,
                                           const runtime::SnapshotPublisher& publisher,
                                           unsigned lane, std::string& error) {
  const bool zero_copy = xdp.zero_copy;
  const std::uint32_t frames = xdp.frames;
  std::unique_ptr<XdpWorker> out(new XdpWorker(publisher, lane, mtu, frames));
  const std::size_t size = std::size_t{frames} * kFrameSize;
  out->area_ = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (out->area_ == MAP_FAILED) {
    error = std::string("cannot map the AF_XDP frame area: ") + std::strerror(errno);
    return nullptr;
  }
  // Each frame is a page of its own, so with small pages every query's first read also
  // missed the TLB; huge pages (where transparent ones are allowed on request) cover the
  // area with a few entries. Without them the frames work the same, only slower.
  [[maybe_unused]] const int advised = madvise(out->area_, size, MADV_HUGEPAGE);
  xsk_umem_config umem_config{};
  umem_config.fill_size = frames;
  umem_config.comp_size = frames;
  umem_config.frame_size = kFrameSize;
  umem_config.frame_headroom = 0;
  XdpRings& rings = *out->rings_;
  if (const int rc = xsk_umem__create(&out->umem_, out->area_, size, &rings.fill, &rings.completion,
                                      &umem_config);
      rc != 0) {
    error = socket_error(name, queue, -rc, false);
    if (-rc == ENOMEM || -rc == ENOBUFS) {
      error += " (the frame area counts against RLIMIT_MEMLOCK without CAP_IPC_LOCK)";
    }
    return nullptr;
  }
  xsk_socket_config config{};
  config.rx_size = xdp.rx_ring_size;
  config.tx_size = xdp.tx_ring_size;
  config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;  // our program, attached already
  config.bind_flags =
      static_cast<std::uint16_t>(XDP_USE_NEED_WAKEUP | (zero_copy ? XDP_ZEROCOPY : XDP_COPY));
  if (const int rc = xsk_socket__create(&out->socket_, name.c_str(), queue, out->umem_, &rings.rx,
                                        &rings.tx, &config);
      rc != 0) {
    error = socket_error(name, queue, -rc, zero_copy);
    return nullptr;
  }
  // One kick for a whole batch. A kernel that refuses (older than 6.17, or a transmit ring
  // smaller than a batch) sends 32 per kick: then run() kicks before it sleeps, as poll()
  // alone might leave part of a batch in the ring.
  const int tx_budget = static_cast<int>(kBatch);
  out->poll_sends_batch_ = setsockopt(xsk_socket__fd(out->socket_), SOL_XDP, kXdpMaxTxSkbBudget,
                                      &tx_budget, sizeof tx_budget) == 0;
  std::uint32_t index = 0;
  if (xsk_ring_prod__reserve(&rings.fill, frames, &index) != frames) {
    error = "cannot fill the AF_XDP fill ring on " + name;
    return nullptr;
  }
  for (std::uint32_t i = 0; i < frames; ++i) {
    *xsk_ring_prod__fill_addr(&rings.fill, index + i) = std::uint64_t{i} * kFrameSize;
  }
  xsk_ring_prod__submit(&rings.fill, frames);
  if (const int rc = xsk_socket__update_xskmap(out->socket_, socket_map_fd); rc != 0) {
    error = "cannot register the AF_XDP socket of " + name + " queue " + std::to_string(queue) +
            " with the XDP program: " + std::strerror(-rc);
    return nullptr;
  }
  out->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (out->wake_fd_ < 0) {
    error = std::string("cannot make an eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  return out;
}

XdpWorker::~XdpWorker() {
  stop();
  join();
  if (socket_ != nullptr) xsk_socket__delete(socket_);
  if (umem_ != nullptr) xsk_umem__delete(umem_);
  if (area_ != MAP_FAILED) munmap(area_, std::size_t{frames_} * kFrameSize);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void XdpWorker::start(dnstap::Tap* tap) {
  answerer_.set_tap(tap);
  thread_ = std::thread([this] { run(); });
}

void XdpWorker::stop() noexcept {
  stopping_.store(true, std::memory_order_relaxed);
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
  }
}

void XdpWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void XdpWorker::refill(std::uint64_t address) noexcept {
  // Every frame fits in the fill ring (frames_ entries), so a slot is always free.
  std::uint32_t index = 0;
  if (xsk_ring_prod__reserve(&rings_->fill, 1, &index) == 1) {
    *xsk_ring_prod__fill_addr(&rings_->fill, index) = address;
    xsk_ring_prod__submit(&rings_->fill, 1);
  }
}

void XdpWorker::recycle_sent() noexcept {
  std::uint32_t index = 0;
  const std::uint32_t done = xsk_ring_cons__peek(&rings_->completion, frames_, &index);
  if (done == 0) return;
  std::uint32_t fill_index = 0;
  // Reserved in one piece: the fill ring has room for every frame, so for these.
  if (xsk_ring_prod__reserve(&rings_->fill, done, &fill_index) == done) {
    for (std::uint32_t i = 0; i < done; ++i) {
      *xsk_ring_prod__fill_addr(&rings_->fill, fill_index + i) =
          *xsk_ring_cons__comp_addr(&rings_->completion, index + i);
    }
    xsk_ring_prod__submit(&rings_->fill, done);
  }
  xsk_ring_cons__release(&rings_->completion, done);
}

std::uint32_t XdpWorker::serve_batch() noexcept {
  std::uint32_t rx_index = 0;
  const std::uint32_t received = xsk_ring_cons__peek(&rings_->rx, kBatch, &rx_index);
  if (received == 0) return 0;
  answerer_.refresh();
  stats::WorkerStats& stats = answerer_.stats();
  dnstap::Tap* tap = answerer_.tap();
  const std::uint64_t received_ns = util::monotonic_ns();
  const std::uint64_t received_wall_ns = tap != nullptr ? dnstap::realtime_ns() : 0;
  auto* area = static_cast<std::uint8_t*>(area_);
  std::uint32_t sent = 0;
  for (std::uint32_t i = 0; i < received; ++i) {
    const xdp_desc* desc = xsk_ring_cons__rx_desc(&rings_->rx, rx_index + i);
    const std::uint64_t address = desc->addr;
    std::uint8_t* frame = area + address;
    UdpFrame parsed;
    if (!parse_udp_frame(frame, desc->len, parsed)) {
      stats.drop(stats::Drop::malformed);
      refill(address);
      continue;
    }
    // The frame holds the reply after the query is read: room from the frame's data start
    // to the end of its UMEM chunk.
    const std::size_t room = kFrameSize - address % kFrameSize;
    const std::size_t capacity = reply_capacity(parsed, mtu_, room) < UdpBatch::kAnswerSize
                                     ? reply_capacity(parsed, mtu_, room)
                                     : UdpBatch::kAnswerSize;
    const std::size_t size =
        answerer_.answer_one(query::Transport::xdp, parsed.client, frame + parsed.headers,
                             parsed.payload_len, answer_.get(), capacity, received_ns);
    if (tap != nullptr) {
      // Before the reply overwrites the query in its frame. dnstap has no socket protocol
      // for XDP: the exchange is recorded as what it is on the wire, UDP.
      const sockaddr_storage client = socket_address(parsed.client, parsed.client_port);
      const sockaddr_storage server = socket_address(parsed.server, parsed.server_port);
      tap->record(false, client, &server, received_wall_ns, dnstap::realtime_ns(),
                  frame + parsed.headers, parsed.payload_len, answer_.get(), size);
    }
    std::uint32_t tx_index = 0;
    if (size == 0) {
      refill(address);
      continue;
    }
    if (xsk_ring_prod__reserve(&rings_->tx, 1, &tx_index) != 1) {
      stats.drop(stats::Drop::send_failed);
      refill(address);
      continue;
    }
    std::memcpy(frame + parsed.headers, answer_.get(), size);
    xdp_desc* out = xsk_ring_prod__tx_desc(&rings_->tx, tx_index);
    out->addr = address;
    out->len = static_cast<std::uint32_t>(write_reply_frame(frame, parsed, size));
    out->options = 0;
    xsk_ring_prod__submit(&rings_->tx, 1);
    ++sent;
  }
  xsk_ring_cons__release(&rings_->rx, received);
  if (sent != 0) unkicked_ = true;
  return received;
}

void XdpWorker::kick_transmit() noexcept {
  if (!unkicked_) return;
  unkicked_ = false;
  if (xsk_ring_prod__needs_wakeup(&rings_->tx)) {
    // Copy mode sends only when asked; EAGAIN / EBUSY mean the kernel is still busy sending
    // and will take the rest on the next kick.
    sendto(xsk_socket__fd(socket_), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
  }
}

void XdpWorker::run() noexcept {
  std::uint64_t flushed_ns = util::monotonic_ns();
  pollfd fds[2] = {{xsk_socket__fd(socket_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (!stopping_.load(std::memory_order_relaxed)) {
    const std::uint32_t received = serve_batch();
    if (xsk_cons_nb_avail(&rings_->rx, 1) != 0) {
      // More queries wait: send this batch now, and answer them before sleeping.
      kick_transmit();
      recycle_sent();
      continue;
    }
    // Nothing waits, so poll() comes next, and xsk_poll sends the transmit ring first (copy
    // mode) or wakes the driver (zero-copy): a kick here would be a second syscall for it.
    if (!poll_sends_batch_) kick_transmit();
    unkicked_ = false;
    recycle_sent();
    const std::uint64_t now = util::monotonic_ns();
    if (now - flushed_ns >= QueryLog::kSecondNs) {
      answerer_.query_log().flush(now);
      flushed_ns = now;
    }
    if (received == 0 && xsk_ring_prod__needs_wakeup(&rings_->fill)) {
      // The fill ring asks for a wakeup when the kernel ran out of frames to receive into.
      recvfrom(xsk_socket__fd(socket_), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    }
    if (poll(fds, 2, kIdleWakeupMs) == 0) answerer_.refresh();  // idle: drop old configs
  }
}

}  // namespace gslbd::server
