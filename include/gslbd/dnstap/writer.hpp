// SPDX-License-Identifier: Apache-2.0
// dnstap output: every answering thread records its queries and responses into a Tap of its
// own (a bounded ring, no lock, no allocation: a full ring drops the record and counts it), and
// one writer thread drains the taps, encodes dnstap messages and writes them as Frame Streams
// (libfstrm) to a collector's UNIX socket or to a file. Answering never waits for the output.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gslbd/dnstap/ring.hpp"
#include "gslbd/runtime/server_config.hpp"

struct fstrm_writer;

namespace gslbd::dnstap {

// One answering thread's queue. record() is called only by that thread; the writer thread
// drains it.
class Tap {
 public:
  Tap(std::size_t queue_size, bool queries, bool responses);

  // Answering thread: records one exchange. server is the address the query was sent to (null
  // or family 0 when unknown); response_len 0 means no response was sent. Times are wall-clock
  // nanoseconds (realtime_ns()).
  void record(bool tcp, const sockaddr_storage& client, const sockaddr_storage* server,
              std::uint64_t query_ns, std::uint64_t response_ns, const std::uint8_t* query,
              std::size_t query_len, const std::uint8_t* response,
              std::size_t response_len) noexcept;

  // Any thread: records dropped because the queue was full (single writer: the answering thread).
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

  Ring& ring() noexcept { return ring_; }

 private:
  Ring ring_;
  bool queries_;
  bool responses_;
  std::atomic<std::uint64_t> dropped_{0};
};

class Writer {
 public:
  // Control thread. Starts the writer thread for config (which must be enabled()). A file that
  // cannot be opened is an error (returns null and sets error); a socket without a collector is
  // not: the writer connects when the collector appears and drops what comes before.
  static std::unique_ptr<Writer> start(const runtime::DnstapConfig& config, std::string identity,
                                       std::string version, std::string& error);
  // Stops the writer thread after writing what is queued, and closes the output.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Control thread, before the answering thread that uses the tap starts. The writer owns it.
  Tap* add_tap();

  // Any thread: dnstap messages written, and records or messages lost (queue full, or the
  // output unavailable).
  std::uint64_t written() const noexcept { return written_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const noexcept;

 private:
  Writer(const runtime::DnstapConfig& config, std::string identity, std::string version);
  void run() noexcept;
  std::size_t drain_once() noexcept;
  void flush_frames() noexcept;
  bool output_ready() noexcept;

  runtime::DnstapConfig config_;
  std::string identity_;
  std::string version_;
  fstrm_writer* output_ = nullptr;
  bool output_open_ = false;
  std::uint64_t retry_at_ns_ = 0;
  std::vector<std::uint8_t> frames_;     // encoded messages waiting for one writev
  std::vector<std::size_t> frame_ends_;  // end offset of each message in frames_
  mutable std::mutex mutex_;             // guards taps_ (the list, not the rings)
  std::vector<std::unique_ptr<Tap>> taps_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> output_dropped_{0};
  std::thread thread_;
};

// Wall-clock time in nanoseconds, for dnstap timestamps.
std::uint64_t realtime_ns() noexcept;

}  // namespace gslbd::dnstap
