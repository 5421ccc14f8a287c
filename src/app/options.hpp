// SPDX-License-Identifier: Apache-2.0
// The gslbd command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gslbd/runtime/config.hpp"

namespace gslbd::app {

struct Options {
  std::string config_path;
  std::vector<runtime::ListenAddress> listen;  // replaces server.listen when not empty
  std::optional<unsigned> workers;
  std::optional<std::string> identity;
  std::optional<std::string> log_level;
  std::optional<std::string> user;   // drop to this user after binding (when started as root)
  std::optional<std::string> group;  // and this group (default: the user's primary group)
  std::optional<runtime::ListenAddress> control;  // replaces control.listen
  bool check_config = false;
  std::optional<std::string> print_ds;  // a zone: load, print its DS records, exit
  bool version = false;
  bool help = false;
};

// Returns nullopt after printing the reason to stderr.
std::optional<Options> parse_options(int argc, char** argv);

void print_usage();

// Command-line overrides on top of a loaded config (applied again after every reload).
std::shared_ptr<const runtime::Config> apply_overrides(const runtime::Config& loaded,
                                                       const Options& options);

}  // namespace gslbd::app
