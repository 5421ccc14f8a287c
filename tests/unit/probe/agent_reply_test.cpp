// SPDX-License-Identifier: Apache-2.0
// The agent reply parser as a pure unit: keywords, percentages, mixtures, garbage, clamping.
#include <doctest/doctest.h>

#include <string>

#include "probe/agent_reply.hpp"

using gslbd::probe::AgentReply;
using gslbd::probe::parse_agent_reply;

TEST_CASE("operational keywords") {
  CHECK(parse_agent_reply("up").op == AgentReply::Op::up);
  CHECK(parse_agent_reply("up").admin == AgentReply::Admin::ready);
  CHECK(parse_agent_reply("ready\n").op == AgentReply::Op::up);
  CHECK(parse_agent_reply("ready\n").admin == AgentReply::Admin::ready);
  for (const char* word : {"down", "fail", "failed", "stopped", "DOWN", "Stopped"}) {
    CAPTURE(word);
    const AgentReply r = parse_agent_reply(word);
    CHECK(r.op == AgentReply::Op::down);
    CHECK(r.admin == AgentReply::Admin::unset);
  }
}

TEST_CASE("administrative keywords") {
  CHECK(parse_agent_reply("drain").admin == AgentReply::Admin::drain);
  CHECK(parse_agent_reply("maint\r\n").admin == AgentReply::Admin::drain);
  CHECK(parse_agent_reply("drain").op == AgentReply::Op::unset);
  CHECK(parse_agent_reply("Ready").admin == AgentReply::Admin::ready);
}

TEST_CASE("percentages set the weight, clamped to 0..255") {
  CHECK(parse_agent_reply("75%").weight == 75);
  CHECK(parse_agent_reply("0%").weight == 0);
  CHECK(parse_agent_reply("100%").weight == 100);
  CHECK(parse_agent_reply("300%").weight == 255);
  CHECK(parse_agent_reply("99999999999999999999%").weight == 255);
  CHECK(parse_agent_reply("%").weight == -1);
  CHECK(parse_agent_reply("-5%").weight == -1);
  CHECK(parse_agent_reply("12.5%").weight == -1);
  CHECK(parse_agent_reply("75").weight == -1);
  CHECK(parse_agent_reply("up").weight == -1);
}

TEST_CASE("mixed replies: separators and last word wins per kind") {
  const AgentReply a = parse_agent_reply("up 50%");
  CHECK(a.op == AgentReply::Op::up);
  CHECK(a.weight == 50);
  const AgentReply b = parse_agent_reply("drain,\t20%,up");  // up clears the drain
  CHECK(b.admin == AgentReply::Admin::ready);
  CHECK(b.weight == 20);
  const AgentReply c = parse_agent_reply("up drain");
  CHECK(c.admin == AgentReply::Admin::drain);
  CHECK(c.op == AgentReply::Op::up);
  const AgentReply d = parse_agent_reply("10% 90% down");
  CHECK(d.weight == 90);
  CHECK(d.op == AgentReply::Op::down);
  const AgentReply e = parse_agent_reply("maint 5%\nup 100%");  // only the first line counts
  CHECK(e.admin == AgentReply::Admin::drain);
  CHECK(e.weight == 5);
}

TEST_CASE("garbage is ignored") {
  for (const char* text : {"", "   ", ",,,", "hello world", "upp", "dow n", "\n", "\x01\xff"}) {
    CAPTURE(text);
    const AgentReply r = parse_agent_reply(text);
    CHECK(r.op == AgentReply::Op::unset);
    CHECK(r.admin == AgentReply::Admin::unset);
    CHECK(r.weight == -1);
  }
  const AgentReply r = parse_agent_reply("blah 42% whatever down?");
  CHECK(r.weight == 42);
  CHECK(r.op == AgentReply::Op::unset);
}

TEST_CASE("only the first 512 bytes are read") {
  std::string line(600, ' ');
  line.replace(10, 4, "down");
  line.replace(550, 2, "up");
  const AgentReply r = parse_agent_reply(line);
  CHECK(r.op == AgentReply::Op::down);
}
