// SPDX-License-Identifier: Apache-2.0
// ResponseWriter: names inside the rdata of NS, CNAME, SOA, MX and PTR are compressed, never
// those of other types; rdata keeps its spelling; the target table holds every name of a
// 512-octet message; a set that does not fit leaves the message as it was.
#include "gslbd/dns/response_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"

namespace {

using namespace gslbd::dns;

std::string wire(const std::string& text) {
  std::string error;
  const auto name = name_from_text(text, std::string(1, '\0'), &error);
  REQUIRE_MESSAGE(name.has_value(), text << ": " << error);
  return *name;
}

// One record in stored form: rdlength, then rdata.
void add_record(std::vector<std::uint8_t>& records, const std::vector<std::uint8_t>& rdata) {
  records.push_back(static_cast<std::uint8_t>(rdata.size() >> 8));
  records.push_back(static_cast<std::uint8_t>(rdata.size() & 0xff));
  records.insert(records.end(), rdata.begin(), rdata.end());
}

std::vector<std::uint8_t> name_bytes(const std::string& text) {
  const std::string w = wire(text);
  return {w.begin(), w.end()};
}

std::vector<std::uint8_t> mx(std::uint16_t preference, const std::string& target) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(preference >> 8),
                                static_cast<std::uint8_t>(preference & 0xff)};
  const auto name = name_bytes(target);
  out.insert(out.end(), name.begin(), name.end());
  return out;
}

// The name at msg[pos], pointers followed, in presentation form as spelt in the message;
// pos moves past it.
std::string read_name(const std::uint8_t* msg, std::size_t len, std::size_t& pos) {
  std::string text;
  std::size_t at = pos;
  bool jumped = false;
  for (int guard = 0; guard < 128; ++guard) {
    REQUIRE(at < len);
    const std::uint8_t n = msg[at];
    if ((n & 0xC0) == 0xC0) {
      if (!jumped) pos = at + 2;
      jumped = true;
      at = static_cast<std::size_t>(((n & 0x3f) << 8) | msg[at + 1]);
      continue;
    }
    if (n == 0) {
      if (!jumped) pos = at + 1;
      return text.empty() ? "." : text;
    }
    text.append(reinterpret_cast<const char*>(msg + at + 1), n);
    text += '.';
    at += n + 1u;
  }
  FAIL("pointer loop");
  return {};
}

struct Message {
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(65535);
  ResponseWriter writer;
  std::string qname;
  explicit Message(const std::string& question, std::size_t limit = 512,
                   std::uint16_t qtype = type::A)
      : writer(buffer.data(), buffer.size(), limit), qname(wire(question)) {
    writer.start(1, flag::QR | flag::AA, rcode::NOERROR);
    REQUIRE(writer.question(reinterpret_cast<const std::uint8_t*>(qname.data()), qname.size(),
                            qtype, klass::IN));
  }
  bool put(Section section, const std::string& owner, std::uint16_t type,
           const std::vector<std::uint8_t>& records, std::uint16_t count) {
    return writer.rrset(section, wire(owner), type, klass::IN, 300, records.data(), records.size(),
                        count);
  }
  // The rdata names of the first answer record: skips the question and the owner, type, class,
  // TTL, rdlength and the given fixed octets before the name.
  std::string first_rdata_name(std::size_t before) {
    std::size_t pos = kHeaderSize;
    read_name(buffer.data(), writer.size(), pos);
    pos += 4;
    read_name(buffer.data(), writer.size(), pos);
    pos += 10 + before;
    return read_name(buffer.data(), writer.size(), pos);
  }
};

}  // namespace

TEST_CASE("writer: 17 MX records fit a 512-octet answer with their targets compressed") {
  Message m("example.test.", 512, type::MX);
  std::vector<std::uint8_t> records;
  for (int i = 0; i < 17; ++i) {
    add_record(records,
               mx(static_cast<std::uint16_t>(10 + i), "mx" + std::to_string(i) + ".example.test."));
  }
  REQUIRE(m.put(Section::answer, "example.test.", type::MX, records, 17));
  // Each record: owner pointer 2, fixed 10, preference 2, "mxN" label and a pointer.
  std::size_t expected = kHeaderSize + m.qname.size() + 4;
  for (int i = 0; i < 17; ++i) expected += 2 + 10 + 2 + 1 + (i < 10 ? 3 : 4) + 2;
  CHECK(m.writer.size() == expected);
  CHECK(m.writer.size() <= 512);
  CHECK(m.first_rdata_name(2) == "mx0.example.test.");
}

TEST_CASE("writer: SOA names are compressed, rdlength counts the compressed form") {
  Message m("nothere.example.test.");
  std::vector<std::uint8_t> rdata = name_bytes("ns1.example.test.");
  const auto rname = name_bytes("hostmaster.example.test.");
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  for (int i = 0; i < 20; ++i) rdata.push_back(static_cast<std::uint8_t>(i));
  std::vector<std::uint8_t> records;
  add_record(records, rdata);
  const std::size_t before = m.writer.size();
  REQUIRE(m.put(Section::authority, "example.test.", type::SOA, records, 1));
  // Owner: pointer. rdata: "ns1" + pointer, "hostmaster" + pointer, 20 octets.
  CHECK(m.writer.size() - before == 2 + 10 + (4 + 2) + (11 + 2) + 20);
  std::size_t pos = before + 2 + 8;
  const std::size_t rdlength = (std::size_t{m.buffer[pos]} << 8) | m.buffer[pos + 1];
  CHECK(rdlength == (4 + 2) + (11 + 2) + 20);
  pos += 2;
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "ns1.example.test.");
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "hostmaster.example.test.");
  CHECK(m.buffer[pos] == 0);
  CHECK(m.buffer[pos + 19] == 19);
}

TEST_CASE("writer: rdata names keep their spelling, owners take the question's") {
  Message m("WWW.Example.TEST.", 512, type::CNAME);
  std::vector<std::uint8_t> records;
  add_record(records, name_bytes("host.example.test."));
  REQUIRE(m.put(Section::answer, "www.example.test.", type::CNAME, records, 1));
  // The owner points to the question; the target does not, since its case differs.
  CHECK(m.first_rdata_name(0) == "host.example.test.");
  std::size_t pos = kHeaderSize + m.qname.size() + 4;
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "WWW.Example.TEST.");
  // A second name in the same spelling as the first target compresses against it.
  std::vector<std::uint8_t> ptr;
  add_record(ptr, name_bytes("host.example.test."));
  const std::size_t before = m.writer.size();
  REQUIRE(m.put(Section::additional, "example.test.", type::PTR, ptr, 1));
  CHECK(m.writer.size() - before == 2 + 10 + 2);
}

TEST_CASE("writer: names in the rdata of other types are never compressed (RFC 3597)") {
  Message m("example.test.", 512, type::SRV);
  const auto target = name_bytes("example.test.");
  std::vector<std::uint8_t> srv{0, 10, 0, 60, 0x13, 0xc4};
  srv.insert(srv.end(), target.begin(), target.end());
  std::vector<std::uint8_t> records;
  add_record(records, srv);
  add_record(records, name_bytes("example.test."));
  const std::size_t before = m.writer.size();
  REQUIRE(m.put(Section::answer, "example.test.", type::SRV,
                {records.begin(), records.begin() + 2 + static_cast<long>(srv.size())}, 1));
  CHECK(m.writer.size() - before == 2 + 10 + srv.size());
  std::vector<std::uint8_t> dname;
  add_record(dname, name_bytes("example.test."));
  const std::size_t middle = m.writer.size();
  REQUIRE(m.put(Section::answer, "x.example.test.", type::DNAME, dname, 1));
  CHECK(m.writer.size() - middle == (2 + 2) + 10 + target.size());
}

TEST_CASE("writer: more than 64 names stay compression targets") {
  // 40 owners of two new labels each: 80 targets after the question's; the last owners still
  // compress to their own labels and a pointer to the zone.
  Message m("example.test.", 65535);
  std::vector<std::uint8_t> records;
  add_record(records, {192, 0, 2, 1});
  for (int i = 0; i < 40; ++i) {
    const std::string owner =
        "h" + std::to_string(i % 10) + ".g" + std::to_string(i) + ".example.test.";
    const std::size_t before = m.writer.size();
    REQUIRE(m.put(Section::answer, owner, type::A, records, 1));
    const std::size_t labels = 3 + (i < 10 ? 3 : 4);
    CHECK_MESSAGE(m.writer.size() - before == labels + 2 + 10 + 4, owner);
  }
  // The last owner's labels, written after the 64th target, still serve a later owner.
  const std::size_t at_last = m.writer.size();
  REQUIRE(m.put(Section::answer, "x.g39.example.test.", type::A, records, 1));
  CHECK(m.writer.size() - at_last == 2 + 2 + 10 + 4);
  // And the first one's name serves a later rdata name.
  std::vector<std::uint8_t> ns;
  add_record(ns, name_bytes("h0.g0.example.test."));
  const std::size_t before = m.writer.size();
  REQUIRE(m.put(Section::authority, "example.test.", type::NS, ns, 1));
  CHECK(m.writer.size() - before == 2 + 10 + 2);
}

TEST_CASE("writer: a set that does not fit leaves the message and its targets as they were") {
  Message m("example.test.", 60, type::MX);
  std::vector<std::uint8_t> records;
  for (int i = 0; i < 4; ++i) add_record(records, mx(10, "mx" + std::to_string(i) + ".a.test."));
  const std::size_t before = m.writer.size();
  CHECK_FALSE(m.put(Section::answer, "example.test.", type::MX, records, 4));
  CHECK(m.writer.size() == before);
  std::vector<std::uint8_t> one;
  add_record(one, mx(10, "mx0.a.test."));
  REQUIRE(m.put(Section::answer, "example.test.", type::MX, one, 1));
  // mx0.a.test. was not left behind as a target by the failed write: its labels are written,
  // and only "test." (from the question) becomes a pointer.
  CHECK(m.writer.size() - before == 2 + 10 + 2 + (4 + 2 + 2));
}

TEST_CASE("writer: a set at the last owner repeats that owner as one pointer") {
  Message m("q.example.test.", 512);
  std::vector<std::uint8_t> a;
  add_record(a, {192, 0, 2, 1});
  std::vector<std::uint8_t> sig;
  add_record(sig, {1, 2, 3, 4, 5, 6});
  const std::string owner = wire("www.other.test.");
  const std::size_t owner_at = m.writer.size();
  REQUIRE(m.put(Section::answer, "www.other.test.", type::A, a, 1));
  const std::size_t second_at = m.writer.size();
  REQUIRE(m.writer.rrset_at_last_owner(Section::answer, owner, 46, klass::IN, 300, sig.data(),
                                       sig.size(), 1));
  // The owner is the two-octet pointer to the first set's owner, and reads as that name.
  CHECK(m.buffer[second_at] == (0xC0 | (owner_at >> 8)));
  CHECK(m.buffer[second_at + 1] == (owner_at & 0xff));
  std::size_t pos = second_at;
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "www.other.test.");
  CHECK(m.writer.size() - second_at == 2 + 10 + 6);
  CHECK(m.buffer[7] == 2);  // ANCOUNT
}

TEST_CASE("writer: after a set that failed or a truncation, the last owner is written again") {
  Message m("q.example.test.", 120);
  std::vector<std::uint8_t> a;
  add_record(a, {192, 0, 2, 1});
  std::vector<std::uint8_t> big;
  add_record(big, std::vector<std::uint8_t>(200, 7));
  std::vector<std::uint8_t> sig;
  add_record(sig, {1, 2, 3, 4});
  REQUIRE(m.put(Section::answer, "www.other.test.", type::A, a, 1));
  // The set that does not fit is not the last owner's: what follows names its own owner.
  CHECK_FALSE(m.put(Section::answer, "big.example.test.", 99, big, 1));
  const std::string next = wire("next.example.test.");
  std::size_t at = m.writer.size();
  REQUIRE(m.writer.rrset_at_last_owner(Section::answer, next, 46, klass::IN, 300, sig.data(),
                                       sig.size(), 1));
  std::size_t pos = at;
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "next.example.test.");

  m.writer.truncate_to_question();
  at = m.writer.size();
  REQUIRE(m.writer.rrset_at_last_owner(Section::answer, next, 46, klass::IN, 300, sig.data(),
                                       sig.size(), 1));
  pos = at;
  CHECK(read_name(m.buffer.data(), m.writer.size(), pos) == "next.example.test.");
  CHECK(m.buffer[7] == 1);
}

namespace {

// An SOA's stored records: rdlength, mname, rname, then the five numbers from serial on.
std::vector<std::uint8_t> soa_records(const std::string& mname, const std::string& rname,
                                      std::uint32_t serial) {
  std::vector<std::uint8_t> rdata = name_bytes(mname);
  const auto r = name_bytes(rname);
  rdata.insert(rdata.end(), r.begin(), r.end());
  for (int shift = 24; shift >= 0; shift -= 8) {
    rdata.push_back(static_cast<std::uint8_t>(serial >> shift));
  }
  for (int i = 0; i < 16; ++i) rdata.push_back(static_cast<std::uint8_t>(i + 1));
  std::vector<std::uint8_t> records;
  add_record(records, rdata);
  return records;
}

// The serial of the SOA written last into the message: the 20 octets that end it start there.
std::uint32_t serial_at_end(const Message& m) {
  const std::uint8_t* p = m.buffer.data() + m.writer.size() - 20;
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

}  // namespace

TEST_CASE("writer: a prepared set writes the octets of the same set written by its records") {
  // Random zones, SOAs and questions, chosen to meet every case the prepared octets must
  // handle or leave alone: rdata names below, at and outside the owner, spelled in other
  // letters, sharing labels with each other and with the question, a message with answers
  // already, sizes that do not fit. Each message is then written on with a set whose names
  // compress against what the SOA left, and an RRSIG at the last owner.
  std::mt19937 random(20261207);
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
  };
  const std::vector<std::string> apexes = {"example.test.", "gslb.Example.com.", "x.",
                                           "a.b.c.d.e.example.test."};
  const std::vector<std::string> labels = {"ns1",        "NS1", "b",     "a", "nope",
                                           "hostmaster", "ns2", "other", "ns"};
  std::size_t prepared = 0;
  for (int round = 0; round < 4000; ++round) {
    const std::string apex = pick(apexes);
    const std::string upper_apex = [&] {
      std::string s = apex;
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    }();
    const std::string mname = pick({"ns1." + apex, apex, "ns.other.net.", "ns1.NS2." + apex,
                                    "ns1." + upper_apex, "ns.test.", "a.b." + apex});
    const std::string rname = pick({"hostmaster." + apex, "hostmaster." + mname,
                                    "hostmaster.other.net.", apex, "b." + apex, "ns1." + apex});
    std::string question;
    const int above = std::uniform_int_distribution<int>(0, 3)(random);
    for (int i = 0; i < above; ++i) question += pick(labels) + ".";
    question += pick({apex, apex, upper_apex});
    // Room for the question always; for the SOA and what follows, not always.
    const std::size_t limit = std::stoul(pick({"512", "512", "65535", "100", "130"}));
    const bool answers_first = std::uniform_int_distribution<int>(0, 4)(random) == 0;

    const std::vector<std::uint8_t> records = soa_records(mname, rname, 7);
    const std::string owner = wire(apex);
    const PreparedRRset set = ResponseWriter::prepare(owner, type::SOA, klass::IN, 300, records, 1);
    Message by_records(question, limit);
    Message by_preparation(question, limit);
    std::vector<std::uint8_t> a;
    add_record(a, {192, 0, 2, 1});
    std::vector<std::uint8_t> ns;
    add_record(ns, name_bytes("x.ns1." + apex));
    add_record(ns, name_bytes("hostmaster.other.net."));
    std::vector<std::uint8_t> sig;
    add_record(sig, {1, 2, 3, 4});
    for (Message* m : {&by_records, &by_preparation}) {
      if (answers_first) m->put(Section::answer, "ns1." + apex, type::A, a, 1);
    }
    const bool written_by_records = by_records.writer.rrset(
        Section::authority, owner, type::SOA, klass::IN, 300, records.data(), records.size(), 1);
    const bool written_prepared = by_preparation.writer.rrset(Section::authority, set);
    INFO("apex " << apex << " mname " << mname << " rname " << rname << " question " << question
                 << " limit " << limit << " answers first " << answers_first);
    REQUIRE(written_by_records == written_prepared);
    for (Message* m : {&by_records, &by_preparation}) {
      m->writer.rrset_at_last_owner(Section::authority, owner, 46, klass::IN, 300, sig.data(),
                                    sig.size(), 1);
      m->put(Section::additional, apex, type::NS, ns, 2);
    }
    REQUIRE(by_records.writer.size() == by_preparation.writer.size());
    REQUIRE(std::equal(by_records.buffer.begin(),
                       by_records.buffer.begin() + static_cast<long>(by_records.writer.size()),
                       by_preparation.buffer.begin()));
    if (written_prepared) ++prepared;
  }
  CHECK(prepared > 1000);
}

TEST_CASE("writer: a prepared set is copied when the question allows it, else written anew") {
  // The records are changed after the set was prepared (serial 1 to 2), so the serial in the
  // message tells which way the set was written.
  std::vector<std::uint8_t> records =
      soa_records("ns1.example.test.", "hostmaster.example.test.", 1);
  const std::string owner = wire("example.test.");
  const PreparedRRset set = ResponseWriter::prepare(owner, type::SOA, klass::IN, 300, records, 1);
  const std::vector<std::uint8_t> changed =
      soa_records("ns1.example.test.", "hostmaster.example.test.", 2);
  std::copy(changed.begin(), changed.end(), records.begin());  // the set's view stays valid
  auto serial_for = [&](const std::string& question, bool answer_first) {
    Message m(question);
    if (answer_first) {
      std::vector<std::uint8_t> a;
      add_record(a, {192, 0, 2, 1});
      REQUIRE(m.put(Section::answer, question, type::A, a, 1));
    }
    REQUIRE(m.writer.rrset(Section::authority, set));
    return serial_at_end(m);
  };
  CHECK(serial_for("nope.example.test.", false) == 1);
  CHECK(serial_for("example.test.", false) == 1);
  CHECK(serial_for("a.b.NS1.example.test.", false) == 1);  // another spelling of ns1: no match
  // The question spells the owner in other letters: rdata names cannot point to it.
  CHECK(serial_for("nope.EXAMPLE.test.", false) == 2);
  // A longer name than the owner is shared with the question: ns1.example.test.
  CHECK(serial_for("ns1.example.test.", false) == 2);
  CHECK(serial_for("a.hostmaster.example.test.", false) == 2);
  // Something stands after the question.
  CHECK(serial_for("nope.example.test.", true) == 2);
}
