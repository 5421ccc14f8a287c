// SPDX-License-Identifier: Apache-2.0
// The HTTP request parser on its own: complete, incomplete and refused requests.
#include <doctest/doctest.h>

#include "control/http_request.hpp"

using namespace gslbd::control;

namespace {

ParseResult parse(const std::string& text, HttpRequest& out, HttpLimits limits = {}) {
  return parse_http_request(text, limits, out);
}

}  // namespace

TEST_CASE("a GET with a query string is parsed and decoded") {
  HttpRequest r;
  const std::string text =
      "GET /explain?name=app.example.test&type=AAAA&client=198.51.100.0%2F24&x=a+b HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nX-Thing:  spaced value \t\r\n\r\n";
  const ParseResult result = parse(text, r);
  REQUIRE(result.status == ParseStatus::complete);
  CHECK(result.used == text.size());
  CHECK(r.method == "GET");
  CHECK(r.path == "/explain");
  REQUIRE(r.param("client") != nullptr);
  CHECK(*r.param("client") == "198.51.100.0/24");
  CHECK(*r.param("x") == "a b");
  CHECK(*r.param("type") == "AAAA");
  REQUIRE(r.header("x-thing") != nullptr);
  CHECK(*r.header("x-thing") == "spaced value");
  CHECK(r.param("missing") == nullptr);
}

TEST_CASE("a body is read by Content-Length, and waited for until complete") {
  HttpRequest r;
  const std::string head = "POST /admin/reload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n";
  CHECK(parse(head, r).status == ParseStatus::incomplete);
  CHECK(parse(head + "ab", r).status == ParseStatus::incomplete);
  const ParseResult result = parse(head + "abcdeEXTRA", r);
  REQUIRE(result.status == ParseStatus::complete);
  CHECK(r.body == "abcde");
  CHECK(result.used == head.size() + 5);
}

TEST_CASE("what can never become a request is refused before it is complete") {
  HttpRequest r;
  CHECK(parse(std::string("\x16\x03\x01", 3), r).http_status == 400);
  CHECK(parse(" GET", r).http_status == 400);
  CHECK(parse("GET / HTTP/1.1\nHost", r).http_status == 400);
}

TEST_CASE("partial heads are incomplete, not errors") {
  HttpRequest r;
  CHECK(parse("", r).status == ParseStatus::incomplete);
  CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\n", r).status == ParseStatus::incomplete);
  CHECK(parse("GET / HTTP/1.1\r", r).status == ParseStatus::incomplete);
}

TEST_CASE("malformed requests are refused with 400") {
  const char* bad[] = {
      "GET / HTTP/1.1\nHost: x\n\n",                       // bare LF
      "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",                // two spaces
      "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",           // extra token
      "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",                 // bad method
      "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",         // absolute form
      "GET / HTTX/1.1\r\nHost: x\r\n\r\n",                 // bad version
      "GET / HTTP/1.1\r\n\r\n",                            // no Host
      "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",      // obs-fold
      "GET / HTTP/1.1\r\nHost x\r\n\r\n",                  // no colon
      "GET / HTTP/1.1\r\nBad Name: x\r\nHost: x\r\n\r\n",  // space in name
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",              // bad escape
      "GET /?a=%4 HTTP/1.1\r\nHost: x\r\n\r\n",            // truncated escape
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",  // control character
  };
  for (const char* text : bad) {
    CAPTURE(text);
    HttpRequest r;
    const ParseResult result = parse(text, r);
    CHECK(result.status == ParseStatus::error);
    CHECK(result.http_status == 400);
    CHECK(!result.reason.empty());
  }
  HttpRequest r;
  CHECK(parse(std::string("GET / HTTP/1.1\r\nHost: \0x\r\n", 26), r).http_status == 400);
}

TEST_CASE("limits: 431 for a large head or too many fields, 413 for a large body") {
  HttpLimits limits;
  limits.max_head_bytes = 256;
  limits.max_body_bytes = 100;
  limits.max_headers = 4;
  HttpRequest r;
  // Never complete, but already past the head limit: refused without waiting for more.
  CHECK(parse("GET /" + std::string(300, 'a'), r, limits).http_status == 431);
  CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", r, limits)
            .http_status == 431);
  CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", r, limits).http_status ==
        413);
  CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'),
              r, limits)
            .status == ParseStatus::complete);
}

TEST_CASE("other versions and transfer codings") {
  HttpRequest r;
  CHECK(parse("GET / HTTP/2.0\r\nHost: x\r\n\r\n", r).http_status == 505);
  CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", r).http_status ==
        501);
  const ParseResult old = parse("GET /healthz HTTP/1.0\r\n\r\n", r);
  CHECK(old.status == ParseStatus::complete);  // HTTP/1.0 needs no Host
  CHECK(r.http10);
}

TEST_CASE("percent_decode") {
  CHECK(*percent_decode("a%2Fb+c", true) == "a/b c");
  CHECK(*percent_decode("a+b", false) == "a+b");
  CHECK(!percent_decode("%", true));
  CHECK(!percent_decode("%g0", true));
}

namespace {

struct Outcome {
  ParseResult result;
  HttpRequest request;
};

Outcome feed_in_pieces(const std::string& text, std::size_t piece, const HttpLimits& limits) {
  HttpRequestParser parser(limits);
  for (std::size_t at = 0; at < text.size(); at += piece) {
    parser.feed(std::string_view(text).substr(at, piece));
  }
  return {parser.result(), parser.request()};
}

void check_same(const Outcome& a, const Outcome& b) {
  CHECK(a.result.status == b.result.status);
  CHECK(a.result.http_status == b.result.http_status);
  CHECK(a.result.reason == b.result.reason);
  CHECK(a.result.used == b.result.used);
  if (a.result.status != ParseStatus::complete) return;
  CHECK(a.request.method == b.request.method);
  CHECK(a.request.target == b.request.target);
  CHECK(a.request.path == b.request.path);
  CHECK(a.request.query == b.request.query);
  CHECK(a.request.headers == b.request.headers);
  CHECK(a.request.body == b.request.body);
  CHECK(a.request.http10 == b.request.http10);
}

}  // namespace

TEST_CASE("fed one octet at a time or in any pieces, the parser gives what the whole gives") {
  HttpLimits limits;
  limits.max_head_bytes = 256;
  limits.max_body_bytes = 64;
  limits.max_headers = 4;
  const std::string texts[] = {
      "GET /explain?name=a.example&x=a+b HTTP/1.1\r\nHost: 127.0.0.1\r\nX:  v \r\n\r\n",
      "POST /admin/drain?pool=p&member=m HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeXY",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab",  // incomplete body
      "GET /healthz HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n",  // incomplete head
      "GET / HTTP/1.1\nHost: x\n\n",
      "GET\r\n\r\n",
      " GET / HTTP/1.1\r\n\r\n",
      std::string("GET / HTTP/1.1\r\nHost: \0x\r\n\r\n", 28),
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
      "GET /" + std::string(300, 'a'),
      "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    HttpRequest whole_request;
    const ParseResult whole = parse_http_request(text, limits, whole_request);
    const Outcome expected{whole, whole_request};
    for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                              std::size_t{64}, text.size() + 1}) {
      CAPTURE(piece);
      check_same(feed_in_pieces(text, piece, limits), expected);
    }
  }
}

TEST_CASE("the parser resumes: a request fed in two parts, with nothing fed in between") {
  HttpRequestParser parser(HttpLimits{});
  CHECK(parser.feed("GET /heal").status == ParseStatus::incomplete);
  CHECK(parser.feed("").status == ParseStatus::incomplete);
  CHECK(parser.received() == 9);
  const ParseResult& done = parser.feed("thz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /next");
  REQUIRE(done.status == ParseStatus::complete);
  CHECK(done.used == 42);
  CHECK(parser.request().path == "/healthz");
  // Later octets change nothing (one request per connection).
  CHECK(parser.feed("garbage\0").status == ParseStatus::complete);
  CHECK(parser.received() == 42);
}

TEST_CASE("an error sticks, and a refused head is refused at the octet that shows it") {
  HttpRequestParser parser(HttpLimits{});
  CHECK(parser.feed("GET / HTTP/1.1\r\n").status == ParseStatus::incomplete);
  CHECK(parser.feed("X: a\n").http_status == 400);
  CHECK(parser.feed("\r\n\r\n").http_status == 400);
  CHECK(parser.result().reason == "lines must end in CRLF");
}

TEST_CASE("a head trickled one octet at a time up to the limit is refused there with 431") {
  HttpLimits limits;
  limits.max_head_bytes = 1024;
  HttpRequestParser parser(limits);
  const std::string text = "GET / HTTP/1.1\r\nX-Slow: " + std::string(2000, 'a');
  std::size_t fed = 0;
  while (fed < text.size() && parser.feed(text.substr(fed, 1)).status == ParseStatus::incomplete) {
    ++fed;
  }
  CHECK(parser.result().http_status == 431);
  CHECK(fed + 1 == limits.max_head_bytes);
  CHECK(parser.received() == limits.max_head_bytes);
}
