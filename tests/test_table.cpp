// Tests for glassbox/core/table.hpp.
#include <catch2/catch.hpp>

#include "glassbox/core/table.hpp"

using namespace glassbox;

TEST_CASE("columns align: numbers right, text left", "[table]") {
  Table t({"layer", "params"});
  t.add_row({"Dense(2→20)", "60"}).add_row({"Dense(20→1)", "21"}).add_row({"total", "81"});
  CHECK(t.render() ==
        "layer        params\n"
        "───────────  ──────\n"
        "Dense(2→20)      60\n"
        "Dense(20→1)      21\n"
        "total            81\n");
}

TEST_CASE("a row with the wrong number of cells is refused", "[table]") {
  Table t({"a", "b"});
  CHECK_THROWS_WITH(t.add_row({"1"}), "Table::add_row: 1 cells for 2 columns");
}
