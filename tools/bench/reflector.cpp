// SPDX-License-Identifier: Apache-2.0
// The floor for the peer benchmark (tools/bench-peers): a UDP "server" that does no DNS work.
// Each thread owns one SO_REUSEPORT socket, blocks in recvmmsg for a batch and answers every
// query with the same canned A record after echoing the question, through one sendmmsg. No
// server can spend less CPU per query on this machine's network stack.
//   gslbd-bench-reflector ADDRESS PORT [THREADS]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr unsigned kBatch = 32;
constexpr std::size_t kSize = 512;

// Answer: pointer to the question name, A IN, TTL 60, 192.0.2.1.
constexpr std::uint8_t kCannedAnswer[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};

// Length of header plus first question, or 0 when the query is not one we can echo.
std::size_t question_end(const std::uint8_t* query, std::size_t length) {
  std::size_t at = 12;
  while (at < length && query[at] != 0) {
    if (query[at] > 63) return 0;
    at += query[at] + 1u;
  }
  at += 5;  // root label, type, class
  return at <= length ? at : 0;
}

void serve(int fd) {
  static thread_local std::uint8_t in[kBatch][kSize];
  static thread_local std::uint8_t out[kBatch][kSize];
  mmsghdr in_msgs[kBatch]{};
  mmsghdr out_msgs[kBatch]{};
  iovec in_iov[kBatch];
  iovec out_iov[kBatch];
  sockaddr_storage peers[kBatch];
  for (unsigned i = 0; i < kBatch; ++i) {
    in_iov[i] = {in[i], kSize};
    in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
    in_msgs[i].msg_hdr.msg_iovlen = 1;
    in_msgs[i].msg_hdr.msg_name = &peers[i];
    out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
    out_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (;;) {
    for (unsigned i = 0; i < kBatch; ++i) in_msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
    const int received = recvmmsg(fd, in_msgs, kBatch, MSG_WAITFORONE, nullptr);
    if (received < 0) {
      if (errno == EINTR) continue;
      std::perror("recvmmsg");
      return;
    }
    unsigned answers = 0;
    for (int i = 0; i < received; ++i) {
      const std::size_t end = question_end(in[i], in_msgs[i].msg_len);
      if (end == 0 || end + sizeof kCannedAnswer > kSize) continue;
      std::uint8_t* answer = out[answers];
      std::memcpy(answer, in[i], end);
      answer[2] = static_cast<std::uint8_t>(0x84 | (answer[2] & 0x01));  // QR, AA, keep RD
      answer[3] = 0;
      const std::uint8_t counts[] = {0, 1, 0, 1, 0, 0, 0, 0};
      std::memcpy(answer + 4, counts, sizeof counts);
      std::memcpy(answer + end, kCannedAnswer, sizeof kCannedAnswer);
      out_iov[answers] = {answer, end + sizeof kCannedAnswer};
      out_msgs[answers].msg_hdr.msg_name = &peers[i];
      out_msgs[answers].msg_hdr.msg_namelen = in_msgs[i].msg_hdr.msg_namelen;
      ++answers;
    }
    unsigned sent = 0;
    while (sent < answers) {
      const int n = sendmmsg(fd, out_msgs + sent, answers - sent, 0);
      if (n <= 0) break;
      sent += static_cast<unsigned>(n);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ADDRESS PORT [THREADS]\n", argv[0]);
    return 2;
  }
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[2])));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) {
    std::fprintf(stderr, "not an IPv4 address: %s\n", argv[1]);
    return 2;
  }
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < (threads == 0 ? 1 : threads); ++t) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("bind");
      return 1;
    }
    workers.emplace_back(serve, fd);
  }
  for (auto& worker : workers) worker.join();
  return 0;
}
