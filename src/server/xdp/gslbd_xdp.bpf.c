// SPDX-License-Identifier: Apache-2.0
// gslbd's XDP program: hands UDP datagrams to the configured port of a served address to the
// AF_XDP socket of the receive queue they arrived on; everything else (TCP, other ports and
// addresses, fragments, IPv4 with options, IPv6 with extension headers, VLAN tags, short
// frames) goes on to the kernel's stack unchanged, so the socket path and the host's other
// traffic never notice the program. The userspace loader fills the maps before attaching.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// Receive queue id -> AF_XDP socket. A queue without a socket falls back to XDP_PASS.
struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u32);
} gslbd_xsks SEC(".maps");

// The served IPv4 destinations (network order) and IPv6 destinations; the value is unused.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u8);
} gslbd_addr4 SEC(".maps");

struct gslbd_in6 {
  __u8 bytes[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, struct gslbd_in6);
  __type(value, __u8);
} gslbd_addr6 SEC(".maps");

// Entry 0: the served UDP port, in network order.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u16);
} gslbd_port SEC(".maps");

static __always_inline int served_port(const struct udphdr *udp) {
  __u32 zero = 0;
  const __u16 *port = bpf_map_lookup_elem(&gslbd_port, &zero);
  return port != 0 && udp->dest == *port;
}

SEC("xdp")
int gslbd_xdp(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_PASS;

  if (eth->h_proto == bpf_htons(ETH_P_IP)) {
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_PASS;
    // Options would move the UDP header; fragments (MF or an offset) need reassembly.
    if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_UDP) return XDP_PASS;
    if (ip->frag_off & bpf_htons(0x3fff)) return XDP_PASS;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > end) return XDP_PASS;
    if (!served_port(udp)) return XDP_PASS;
    __u32 daddr = ip->daddr;
    if (bpf_map_lookup_elem(&gslbd_addr4, &daddr) == 0) return XDP_PASS;
    return bpf_redirect_map(&gslbd_xsks, ctx->rx_queue_index, XDP_PASS);
  }
  if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > end) return XDP_PASS;
    // Only UDP right after the fixed header: an extension header (a fragment header too)
    // leaves the packet to the kernel.
    if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP) return XDP_PASS;
    struct udphdr *udp = (void *)(ip6 + 1);
    if ((void *)(udp + 1) > end) return XDP_PASS;
    if (!served_port(udp)) return XDP_PASS;
    struct gslbd_in6 daddr;
    __builtin_memcpy(daddr.bytes, &ip6->daddr, sizeof daddr.bytes);
    if (bpf_map_lookup_elem(&gslbd_addr6, &daddr) == 0) return XDP_PASS;
    return bpf_redirect_map(&gslbd_xsks, ctx->rx_queue_index, XDP_PASS);
  }
  return XDP_PASS;
}

// The program calls no GPL-only helper, so the kernel loads it under the repository's license.
char LICENSE[] SEC("license") = "Apache-2.0";
