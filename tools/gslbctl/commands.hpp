// SPDX-License-Identifier: Apache-2.0
// gslbctl's commands: each talks to the control endpoint (or runs gslbd --check-config) and
// returns the process exit code (0 ok, 1 failed, 2 usage).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace gslbctl {

struct Globals {
  Endpoint endpoint{"127.0.0.1", 9253};
  std::string token;  // from --token-file
  bool json = false;  // print the endpoint's JSON instead of text
  std::chrono::milliseconds timeout{10'000};
  std::string self;  // argv[0], to find gslbd next to gslbctl
};

int cmd_status(const Globals& g);
int cmd_drain(const Globals& g, const std::string& pool, const std::string& member, bool drained);
int cmd_force(const Globals& g, const std::string& pool, const std::string& member,
              const std::string& state, const std::string& expires);
int cmd_weight(const Globals& g, const std::string& pool, const std::string& member,
               const std::string& weight, const std::string& expires);
int cmd_reload(const Globals& g);
int cmd_explain(const Globals& g, const std::vector<std::string>& args);
int cmd_check_config(const Globals& g, const std::string& file);
// The DS records of a signed zone of the configuration file, for its parent (gslbd --print-ds).
int cmd_ds(const Globals& g, const std::string& file, const std::string& zone);

}  // namespace gslbctl
