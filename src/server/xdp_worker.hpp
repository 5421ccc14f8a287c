// SPDX-License-Identifier: Apache-2.0
// One AF_XDP socket (one interface receive queue) with its UMEM, served by a thread of its own:
// it takes frames from the receive ring, answers each through its Answerer (the very code
// and snapshot the socket path uses, counted with proto "xdp") and sends the reply from the
// same UMEM frame. Nothing is allocated per packet: the UMEM's frames and one answer buffer
// are made once, and every frame is always in exactly one place (fill ring, kernel, receive
// ring, transmit ring or completion ring).
#pragma once

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "answerer.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/runtime/snapshot.hpp"

struct xsk_socket;
struct xsk_umem;

namespace gslbd::server {

struct XdpRings;

class XdpWorker {
 public:
  // Creates the UMEM (config.frames frames) and the socket bound to interface `name` queue
  // `queue` (rings of config's sizes, zero-copy as config says) and puts the socket into the
  // program's map (socket_map_fd). Returns null with `error` set to one line.
  // Control thread, before privileges are dropped (AF_XDP sockets need CAP_NET_RAW).
  static std::unique_ptr<XdpWorker> open(const runtime::XdpConfig& config, const std::string& name,
                                         std::uint32_t queue, int socket_map_fd, std::size_t mtu,
                                         const runtime::SnapshotPublisher& publisher, unsigned lane,
                                         std::string& error);
  ~XdpWorker();
  XdpWorker(const XdpWorker&) = delete;
  XdpWorker& operator=(const XdpWorker&) = delete;

  // Control thread: starts the serving thread; tap (may be null) records its exchanges for
  // dnstap and must outlive the worker.
  void start(dnstap::Tap* tap);
  // Any thread: makes the serving thread return (within its idle wakeup); then join().
  void stop() noexcept;
  void join();

  // Any thread: this worker's counters (single writer: its own thread).
  const stats::WorkerStats& stats() const noexcept { return answerer_.stats(); }

  // The size of a UMEM frame: one page, room for any frame of a 1500-octet MTU and its reply.
  static constexpr std::uint32_t kFrameSize = 4096;
  static constexpr std::uint32_t kBatch = 64;

 private:
  XdpWorker(const runtime::SnapshotPublisher& publisher, unsigned lane, std::size_t mtu,
            std::uint32_t frames);
  void run() noexcept;
  // Receives and answers up to kBatch frames; returns how many were received.
  std::uint32_t serve_batch() noexcept;
  // Asks the kernel to send what serve_batch put on the transmit ring since the last kick.
  void kick_transmit() noexcept;
  // Hands sent frames (the completion ring) back to the kernel through the fill ring.
  void recycle_sent() noexcept;
  void refill(std::uint64_t address) noexcept;

  Answerer answerer_;
  std::size_t mtu_;
  // Frames in the UMEM; the fill and completion rings have as many entries, so every frame
  // always fits in the fill ring.
  std::uint32_t frames_;
  void* area_ = MAP_FAILED;  // the UMEM: frames_ frames of kFrameSize
  xsk_umem* umem_ = nullptr;
  xsk_socket* socket_ = nullptr;
  std::unique_ptr<XdpRings> rings_;
  std::unique_ptr<std::uint8_t[]> answer_;  // one answer, before it is copied into its frame
  // Replies on the transmit ring that no kick or poll() has sent yet.
  bool unkicked_ = false;
  // Whether one kick (and so poll()) sends a whole batch: XDP_MAX_TX_SKB_BUDGET was accepted.
  bool poll_sends_batch_ = false;
  int wake_fd_ = -1;  // an eventfd: stop() wakes the thread's poll
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gslbd::server
