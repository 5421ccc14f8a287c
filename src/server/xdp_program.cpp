// SPDX-License-Identifier: Apache-2.0
#include "xdp_program.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "xdp/xdp_object.hpp"

namespace gslbd::server {
namespace {

// libbpf's own messages go to the debug log: the loader reports failures in one line itself.
int libbpf_message(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || !spdlog::should_log(spdlog::level::debug)) return 0;
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::debug("libbpf: {}", text);
  return 0;
}

std::string permission_hint(int err) {
  return err == EPERM || err == EACCES
             ? " (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON or CAP_SYS_ADMIN)"
             : "";
}

// The name of the program attached to ifindex in `mode` (XDP_FLAGS_DRV_MODE or
// XDP_FLAGS_SKB_MODE), with its id; empty when there is none.
std::string attached_program(unsigned ifindex, std::uint32_t mode, std::uint32_t& id) {
  id = 0;
  if (bpf_xdp_query_id(static_cast<int>(ifindex), static_cast<int>(mode), &id) != 0 || id == 0) {
    return {};
  }
  const int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) return "?";
  bpf_prog_info info{};
  std::uint32_t length = sizeof info;
  std::string name = "?";
  if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0) name = info.name;
  close(fd);
  return name;
}

// Attaches prog_fd through a link in mode; returns the link's fd or -errno.
int link_program(int prog_fd, unsigned ifindex, std::uint32_t mode) {
  bpf_link_create_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.flags = mode;
  const int fd = bpf_link_create(prog_fd, static_cast<int>(ifindex), BPF_XDP, &opts);
  return fd >= 0 ? fd : -errno;
}

bool fill_maps(bpf_object* object, const runtime::XdpConfig& config, std::string& error) {
  const int port_fd = bpf_object__find_map_fd_by_name(object, "gslbd_port");
  const int v4_fd = bpf_object__find_map_fd_by_name(object, "gslbd_addr4");
  const int v6_fd = bpf_object__find_map_fd_by_name(object, "gslbd_addr6");
  if (port_fd < 0 || v4_fd < 0 || v6_fd < 0) {
    error = "the built-in XDP program lacks its maps";
    return false;
  }
  const std::uint32_t zero = 0;
  const auto port = htons(config.port);
  if (bpf_map_update_elem(port_fd, &zero, &port, BPF_ANY) != 0) {
    error = std::string("cannot set the XDP program's port: ") + std::strerror(errno);
    return false;
  }
  for (const util::Address& address : config.addresses) {
    const std::uint8_t one = 1;
    const int rc = address.family == 4
                       ? bpf_map_update_elem(v4_fd, address.bytes.data(), &one, BPF_ANY)
                       : bpf_map_update_elem(v6_fd, address.bytes.data(), &one, BPF_ANY);
    if (rc != 0) {
      error = "cannot add " + util::address_text(address) +
              " to the XDP program's addresses: " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<XdpProgram> XdpProgram::attach(const runtime::XdpConfig& config,
                                               const std::string& name, unsigned ifindex,
                                               std::string& error) {
  libbpf_set_print(libbpf_message);
  std::unique_ptr<XdpProgram> out(new XdpProgram());
  bpf_object_open_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.object_name = kXdpProgramName;
  out->object_ = bpf_object__open_mem(xdp::kObject, xdp::kObjectSize, &opts);
  if (out->object_ == nullptr) {
    error = std::string("cannot open the built-in XDP program: ") + std::strerror(errno);
    return nullptr;
  }
  if (const int rc = bpf_object__load(out->object_); rc != 0) {
    error =
        std::string("cannot load the XDP program: ") + std::strerror(-rc) + permission_hint(-rc);
    return nullptr;
  }
  if (!fill_maps(out->object_, config, error)) return nullptr;
  out->socket_map_fd_ = bpf_object__find_map_fd_by_name(out->object_, "gslbd_xsks");
  bpf_program* program = bpf_object__find_program_by_name(out->object_, kXdpProgramName);
  if (program == nullptr || out->socket_map_fd_ < 0) {
    error = "the built-in XDP program lacks its entry point or socket map";
    return nullptr;
  }
  const int prog_fd = bpf_program__fd(program);

  const bool try_native = config.mode != runtime::XdpMode::generic;
  const bool try_generic = config.mode != runtime::XdpMode::native;
  int rc = -ENOTSUP;
  for (int round = 0; round < 2 && out->link_fd_ < 0; ++round) {
    for (const std::uint32_t mode : {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE}) {
      if ((mode == XDP_FLAGS_DRV_MODE && !try_native) ||
          (mode == XDP_FLAGS_SKB_MODE && !try_generic)) {
        continue;
      }
      rc = link_program(prog_fd, ifindex, mode);
      if (rc >= 0) {
        out->link_fd_ = rc;
        out->native_ = mode == XDP_FLAGS_DRV_MODE;
        break;
      }
      if (rc == -EBUSY || rc == -EEXIST) break;  // a program is there: see below
      if (mode == XDP_FLAGS_DRV_MODE && try_generic) {
        spdlog::info("xdp: {} refused native mode ({}); trying generic mode", name,
                     std::strerror(-rc));
      }
    }
    if (out->link_fd_ >= 0 || (rc != -EBUSY && rc != -EEXIST)) break;
    // Another program holds the interface. A copy of ours attached without a link (by an
    // older gslbd, or by hand) is stale: replace it once. Anything else is not ours to touch.
    std::uint32_t id = 0;
    std::uint32_t mode = XDP_FLAGS_DRV_MODE;
    std::string other = attached_program(ifindex, mode, id);
    if (other.empty()) {
      mode = XDP_FLAGS_SKB_MODE;
      other = attached_program(ifindex, mode, id);
    }
    if (round == 0 && other == kXdpProgramName &&
        bpf_xdp_detach(static_cast<int>(ifindex), mode, nullptr) == 0) {
      spdlog::warn("xdp: removed a stale gslbd XDP program (id {}) from {}", id, name);
      continue;
    }
    error = "interface " + name + " already carries an XDP program" +
            (other.empty() ? std::string() : " '" + other + "' (id " + std::to_string(id) + ")") +
            (other == kXdpProgramName ? ", held by a running gslbd" : "") +
            "; remove it (ip link set dev " + name +
            " xdp off) or leave the interface out of xdp.interfaces";
    return nullptr;
  }
  if (out->link_fd_ < 0) {
    const char* wanted = config.mode == runtime::XdpMode::native    ? "native mode"
                         : config.mode == runtime::XdpMode::generic ? "generic mode"
                                                                    : "native or generic mode";
    error = "cannot attach the XDP program to " + name + " in " + wanted + ": " +
            std::strerror(-rc) + permission_hint(-rc);
    return nullptr;
  }
  return out;
}

XdpProgram::~XdpProgram() {
  detach();
  if (object_ != nullptr) bpf_object__close(object_);
}

void XdpProgram::detach() noexcept {
  if (link_fd_ >= 0) close(link_fd_);
  link_fd_ = -1;
}

}  // namespace gslbd::server
