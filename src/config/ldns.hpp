// SPDX-License-Identifier: Apache-2.0
// ldns for C++ code. <stdbool.h> must come first: without it ldns/common.h defines bool, true and
// false as macros, which breaks the standard library headers included after it.
#pragma once

// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on
