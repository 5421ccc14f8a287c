// SPDX-License-Identifier: Apache-2.0
// gslbctl members: every pool member as "POOL<TAB>MEMBER", one per line, from /status (for
// scripts and the shell completion).
#pragma once

#include "commands.hpp"

namespace gslbctl {

int cmd_members(const Globals& g);

}  // namespace gslbctl
