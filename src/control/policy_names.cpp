// SPDX-License-Identifier: Apache-2.0
#include "policy_names.hpp"

namespace gslbd::control {

const char* all_down_name(pool::AllDownAction action) noexcept {
  switch (action) {
    case pool::AllDownAction::serve_all:
      return "serve_all";
    case pool::AllDownAction::fallback_pool:
      return "fallback_pool";
    case pool::AllDownAction::nodata:
      return "nodata";
    case pool::AllDownAction::servfail:
      return "servfail";
  }
  return "unknown";
}

const char* outcome_name(pool::Outcome outcome) noexcept {
  switch (outcome) {
    case pool::Outcome::normal:
      return "normal";
    case pool::Outcome::fallback:
      return "fallback";
    case pool::Outcome::all_down:
      return "all_down";
  }
  return "unknown";
}

}  // namespace gslbd::control
