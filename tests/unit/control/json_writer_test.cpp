// SPDX-License-Identifier: Apache-2.0
// The JSON writer: nesting, commas and escaping (control characters, quotes, invalid UTF-8).
#include <doctest/doctest.h>

#include <limits>

#include "control/json_writer.hpp"

using gslbd::control::JsonWriter;

TEST_CASE("objects and arrays get commas in the right places") {
  JsonWriter json;
  json.begin_object();
  json.key("a").number(1);
  json.key("b").begin_array().string("x").boolean(true).null().number(2.5).end_array();
  json.key("c").begin_object().end_object();
  json.key("d").number(std::uint64_t{18446744073709551615ull});
  json.key("e").number(-3);
  json.end_object();
  CHECK(json.take() == R"({"a":1,"b":["x",true,null,2.5],"c":{},"d":18446744073709551615,"e":-3})");
}

TEST_CASE("strings are escaped and invalid UTF-8 is replaced") {
  std::string out;
  JsonWriter::escape("q\"b\\n\nt\tc\x01\x7f", out);
  CHECK(out == R"("q\"b\\n\nt\tc\u0001\u007f")");
  out.clear();
  JsonWriter::escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", out);  // valid: kept
  CHECK(out == "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  out.clear();
  JsonWriter::escape(
      "a\xff"
      "b\xc3"
      "c\xed\xa0\x80"
      "d\xc0\xaf",
      out);  // invalid: replaced
  CHECK(out == R"("a\ufffdb\ufffdc\ufffd\ufffd\ufffdd\ufffd\ufffd")");
}

TEST_CASE("non-finite numbers become null") {
  JsonWriter json;
  json.begin_array().number(std::numeric_limits<double>::infinity()).end_array();
  CHECK(json.take() == "[null]");
}
