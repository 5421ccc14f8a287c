// SPDX-License-Identifier: Apache-2.0
// Server CPU per UDP query for a listener on a specific address and for a wildcard listener,
// which reads each query's destination from a control message and sends the answer with one
// naming it as the source (IP_PKTINFO / IPV6_PKTINFO). Client and server take turns on this one
// thread: a batch of queries is sent, UdpBatch::serve_once is timed with the thread's CPU clock
// (its recvmmsg and sendmmsg included), then the answers are read. Rows alternate, so machine
// noise spreads over all of them; each row prints its median and lowest ns per query.
//   gslbd-bench-udp-source CONFIG [BATCHES]   (CONFIG: a main file, e.g. zones/gslbd.yaml)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "answerer.hpp"
#include "gslbd/config/load.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "udp_batch.hpp"

namespace {

using gslbd::server::UdpBatch;

constexpr std::size_t kBatch = UdpBatch::kMessages;
constexpr int kRepetitions = 7;

std::uint64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(t.tv_nsec);
}

sockaddr_storage socket_address(const std::string& host, std::uint16_t port) {
  sockaddr_storage out{};
  if (host.find(':') != std::string::npos) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &sin->sin_addr);
  }
  return out;
}

// www.gslb.example.com A, RD set, EDNS0 with 1232 octets.
std::vector<std::uint8_t> make_query() {
  std::vector<std::uint8_t> q = {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  for (const char* label : {"www", "gslb", "example", "com"}) {
    q.push_back(static_cast<std::uint8_t>(std::strlen(label)));
    q.insert(q.end(), label, label + std::strlen(label));
  }
  q.insert(q.end(), {0, 0, 1, 0, 1, 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0});
  return q;
}

struct Row {
  const char* listen;  // host the server socket binds (port chosen by the kernel)
  const char* target;  // where the client sends
  int fd = -1;
  int client = -1;
  sockaddr_storage to{};
  std::unique_ptr<UdpBatch> batch;
  std::vector<double> ns_per_query;
  std::uint64_t wrong_source = 0;
};

bool open_row(Row& row) {
  std::string error;
  auto sockets = gslbd::server::open_listen_sockets({{row.listen, 0}}, 1, error);
  if (sockets.empty()) {
    std::fprintf(stderr, "skipping %s: %s\n", row.listen, error.c_str());
    return false;
  }
  row.fd = sockets[0].udp.at(0);
  sockets[0].udp.clear();
  gslbd::server::close_sockets(sockets);
  fcntl(row.fd, F_SETFL, fcntl(row.fd, F_GETFL) & ~O_NONBLOCK);
  const timeval wait{1, 0};
  setsockopt(row.fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(row.fd, reinterpret_cast<sockaddr*>(&bound), &len);
  const std::uint16_t port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  row.to = socket_address(row.target, port);
  row.client = socket(row.to.ss_family, SOCK_DGRAM, 0);
  setsockopt(row.client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  row.batch = std::make_unique<UdpBatch>(UdpBatch::reports_destination(row.fd));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [BATCHES]\n", argv[0]);
    return 2;
  }
  const int batches = argc > 2 ? std::atoi(argv[2]) : 2000;
  auto loaded = gslbd::config::load_config(argv[1]);
  if (!loaded.config) {
    std::fprintf(stderr, "%s: the config does not load\n", argv[1]);
    return 1;
  }
  gslbd::runtime::SnapshotPublisher publisher;
  publisher.publish(loaded.config);
  gslbd::server::Answerer answerer(publisher, std::uint64_t{1});

  std::vector<Row> rows(5);
  rows[0].listen = "127.0.0.1", rows[0].target = "127.0.0.1";
  rows[1].listen = "0.0.0.0", rows[1].target = "127.0.0.1";
  rows[2].listen = "0.0.0.0", rows[2].target = "127.0.0.2";
  rows[3].listen = "::1", rows[3].target = "::1";
  rows[4].listen = "::", rows[4].target = "::1";
  std::vector<Row*> open;
  for (Row& row : rows) {
    if (open_row(row)) open.push_back(&row);
  }

  std::vector<std::uint8_t> query = make_query();
  mmsghdr out[kBatch];
  iovec iov[kBatch];
  std::memset(out, 0, sizeof out);
  std::uint8_t reply[1500];
  for (int repetition = -1; repetition < kRepetitions; ++repetition) {  // -1: warm-up
    for (Row* row : open) {
      std::uint64_t cpu = 0;
      std::uint64_t served = 0;
      for (int b = 0; b < batches; ++b) {
        for (std::size_t i = 0; i < kBatch; ++i) {
          iov[i] = {query.data(), query.size()};
          out[i].msg_hdr.msg_iov = &iov[i];
          out[i].msg_hdr.msg_iovlen = 1;
          out[i].msg_hdr.msg_name = &row->to;
          out[i].msg_hdr.msg_namelen = sizeof row->to;
        }
        sendmmsg(row->client, out, kBatch, 0);
        std::size_t got = 0;
        while (got < kBatch) {
          const std::uint64_t start = thread_cpu_ns();
          const std::size_t n = row->batch->serve_once(row->fd, answerer);
          cpu += thread_cpu_ns() - start;
          if (n == 0) break;
          got += n;
        }
        served += got;
        for (std::size_t i = 0; i < got; ++i) {
          sockaddr_storage from{};
          socklen_t from_len = sizeof from;
          if (recvfrom(row->client, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from),
                       &from_len) < 0) {
            break;
          }
          const bool v6 = from.ss_family == AF_INET6;
          const void* a =
              v6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr)
                 : &reinterpret_cast<sockaddr_in*>(&from)->sin_addr;
          const void* b2 =
              v6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&row->to)->sin6_addr)
                 : &reinterpret_cast<sockaddr_in*>(&row->to)->sin_addr;
          if (std::memcmp(a, b2, v6 ? 16 : 4) != 0) ++row->wrong_source;
        }
      }
      if (repetition >= 0 && served > 0) {
        row->ns_per_query.push_back(static_cast<double>(cpu) / static_cast<double>(served));
      }
    }
  }

  std::printf("%-12s %-11s %10s %10s %12s\n", "listener", "queried", "median ns", "lowest ns",
              "wrong source");
  for (Row* row : open) {
    auto& v = row->ns_per_query;
    std::sort(v.begin(), v.end());
    std::printf("%-12s %-11s %10.0f %10.0f %12llu\n", row->listen, row->target,
                v.empty() ? 0.0 : v[v.size() / 2], v.empty() ? 0.0 : v.front(),
                static_cast<unsigned long long>(row->wrong_source));
    close(row->client);
    close(row->fd);
  }
  return 0;
}
