// Tests for glassbox/data/csv.hpp: RFC 4180 fields, line ends, and locations in error messages.
// Columns count characters from 1; the expected locations below are counted by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>

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

TEST_CASE("csv: a message about a 100000-column file lists a few names, not all", "[csv]") {
  std::string header, record;
  for (int c = 0; c < 100000; ++c) {
    if (c > 0) header += ',';
    header += "column_";
    header += std::to_string(c);
    if (c < 99999) record += c == 0 ? "1" : ",1";
  }
  std::string message;
  try {
    parse_csv(header + "\n" + record + "\n", "wide.csv");
  } catch (const InputError& e) {
    message = e.what();
  }
  CHECK(message.size() < 2000);
  CHECK_THAT(message, Catch::StartsWith("wide.csv:2:") &&
                          Catch::Contains("expected 100000 fields (column_0,column_1,") &&
                          Catch::Contains(",column_19,… and 99980 more), found 99999: a field is missing"));
  // An extra field is quoted, shortened when it is long.
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2," + std::string(5000, 'x') + "\n", "x.csv"),
                    Catch::Contains("x.csv:2:5: expected 2 fields (a,b), found 3: an extra field \"" +
                                    std::string(40, 'x') + "…\""));
}

TEST_CASE("csv: numbers, as a field reads as one", "[csv]") {
  CHECK(csv_number("3").value == 3);
  CHECK(csv_number(" -0.5\t").value == -0.5);  // spaces and tabs around it are ignored
  CHECK(csv_number("+1").value == 1);           // a leading + is common in exported data
  CHECK(csv_number("+.5e1").value == 5);
  CHECK(csv_number("1e-3").value == 0.001);
  // Too small to tell from 0: read as the nearest double, as C's strtod reads it.
  CHECK(csv_number("1e-400").value == 0.0);
  CHECK(std::signbit(csv_number("-1e-400").value));
  CHECK(csv_number("4.9e-324").value > 0);  // the smallest subnormal double
  CHECK(csv_number("1.7976931348623157e308").value == std::numeric_limits<double>::max());
  CHECK(csv_number("1e-400").problem.empty());

  CHECK(csv_number("1e400").problem == "\"1e400\" is out of range (a double holds at most ±1.8e308)");
  CHECK(csv_number("-1e400").problem == "\"-1e400\" is out of range (a double holds at most ±1.8e308)");
  CHECK(csv_number("").problem == "expected a number, found an empty field");
  CHECK(csv_number("  ").problem == "expected a number, found an empty field");
  CHECK(csv_number("abc").problem == "expected a number, found \"abc\"");
  CHECK(csv_number("1,5").problem == "expected a number, found \"1,5\"");
  CHECK(csv_number("++1").problem == "expected a number, found \"++1\"");
  CHECK(csv_number("+-1").problem == "expected a number, found \"+-1\"");
  CHECK(csv_number("+").problem == "expected a number, found \"+\"");
  CHECK(csv_number("nan").problem == "expected a number, found \"nan\"");  // NaN and ±Inf are not data
  CHECK(csv_number("-inf").problem == "expected a number, found \"-inf\"");
  CHECK(csv_number("+inf").problem == "expected a number, found \"+inf\"");
  CHECK(csv_number("0x10").problem == "expected a number, found \"0x10\"");
}

TEST_CASE("csv: a file larger than the limit is refused without reading it all", "[csv]") {
  {
    std::ofstream out("csv_test_big.csv");
    out << "a\n" << std::string(1000, '1') << "\n";
  }
  CHECK(read_csv("csv_test_big.csv", 1003).records.size() == 1);
  CHECK_THROWS_WITH(read_csv("csv_test_big.csv", 1002),
                    "csv_test_big.csv: larger than 1002 bytes, the most a CSV file may be");
  CHECK(max_csv_bytes == 256 * 1024 * 1024);
}
