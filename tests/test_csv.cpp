// Tests for glassbox/data/csv.hpp: RFC 4180 fields, line ends, and locations in error messages.
// Columns count characters from 1; the expected locations below are counted by hand.
#include <catch2/catch.hpp>

#include "glassbox/data/csv.hpp"
#include "glassbox/core/error.hpp"

using namespace glassbox;

namespace {
std::vector<std::string> texts(const CsvRecord& r) {
  std::vector<std::string> out;
  for (const auto& f : r.fields) out.push_back(f.text);
  return out;
}
}  // namespace

TEST_CASE("csv: the header and the records are read in order", "[csv]") {
  const CsvTable t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
  CHECK(texts(t.header) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.records.size() == 2);
  CHECK(texts(t.records[1]) == std::vector<std::string>{"4", "5", "6"});
  CHECK(t.records[1].line == 3);
  CHECK(t.records[1].fields[2].column == 5);
  CHECK(t.where(t.records[1].fields[2]) == "t.csv:3:5");
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks", "[csv]") {
  const CsvTable t = parse_csv("a,b\n\"x, \"\"y\"\"\",\"line1\nline2\"\nc,d\n", "q.csv");
  REQUIRE(t.records.size() == 2);
  CHECK(texts(t.records[0]) == std::vector<std::string>{"x, \"y\"", "line1\nline2"});
  CHECK(t.records[0].line == 2);
  CHECK(t.records[1].line == 4);  // the quoted line break moved the next record down a line
  CHECK(t.records[1].fields[1].column == 3);
}

TEST_CASE("csv: CRLF line ends, a byte-order mark and blank trailing lines are tolerated", "[csv]") {
  const CsvTable t = parse_csv("\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n  \n", "crlf.csv");
  CHECK(texts(t.header) == std::vector<std::string>{"a", "b"});
  REQUIRE(t.records.size() == 1);
  CHECK(texts(t.records[0]) == std::vector<std::string>{"1", "2"});
  // The last line needs no line end, and a trailing comma is an empty last field.
  const CsvTable u = parse_csv("a,b\n1,", "u.csv");
  CHECK(texts(u.records.at(0)) == std::vector<std::string>{"1", ""});
}

TEST_CASE("csv: columns count characters, not bytes", "[csv]") {
  // "ü" is two bytes but one column: "3" starts in column 5.
  CHECK_THROWS_WITH(parse_csv("a,b\n\xC3\xBC,2,3\n", "u.csv"), Catch::Contains("u.csv:2:5: expected 2 fields (a,b), found 3"));
}

TEST_CASE("csv: a record with too few or too many fields names where", "[csv]") {
  // "1,2" ends before column 4; the extra "4" starts in column 7.
  CHECK_THROWS_WITH(parse_csv("a,b,c\n1,2\n", "few.csv"),
                    Catch::Contains("few.csv:2:4: expected 3 fields (a,b,c), found 2: a field is missing"));
  CHECK_THROWS_WITH(parse_csv("a,b,c\n1,2,3\n1\n", "few.csv"), Catch::Contains("few.csv:3:2:") && Catch::Contains("2 fields are missing"));
  CHECK_THROWS_WITH(parse_csv("a,b,c\n1,2,3,4\n", "many.csv"),
                    Catch::Contains("many.csv:2:7: expected 3 fields (a,b,c), found 4: an extra field \"4\""));
}

TEST_CASE("csv: malformed quoting is an error at the offending character", "[csv]") {
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"open\n", "q.csv"),
                    Catch::Contains("q.csv:2:3: a quoted field is never closed"));
  CHECK_THROWS_WITH(parse_csv("a,b\n\"x\"y,2\n", "q.csv"),
                    Catch::Contains("q.csv:2:4: expected ',' or the end of the line after the closing quote, found 'y'"));
  CHECK_THROWS_WITH(parse_csv("a,b\nx\"y,2\n", "q.csv"), Catch::Contains("q.csv:2:2: a quote inside an unquoted field"));
}

TEST_CASE("csv: an empty text and a blank line between records are errors", "[csv]") {
  CHECK_THROWS_AS(parse_csv("", "e.csv"), InputError);
  CHECK_THROWS_WITH(parse_csv("", "e.csv"), Catch::Contains("e.csv: the file is empty; expected a header line"));
  CHECK_THROWS_WITH(parse_csv("\n\n", "e.csv"), Catch::Contains("the file is empty"));
  CHECK_THROWS_WITH(parse_csv("a\n1\n\n2\n", "b.csv"), Catch::Contains("b.csv:3:1: a blank line between records"));
}

TEST_CASE("csv: a missing file or a folder is an error naming the path", "[csv]") {
  CHECK_THROWS_WITH(read_csv("no/such/file.csv"), Catch::Contains("no/such/file.csv: cannot open the file"));
  CHECK_THROWS_WITH(read_csv("."), Catch::Contains(".: is a folder"));
}
