# The error messages docs/experiment-format.md shows are the program's own: every line of the form
#   glassbox: error: tests/data/specs/<spec>.json…
# is exactly what `glassbox run tests/data/specs/<spec>.json` prints, so the page cannot go stale.
# -DPROGRAM -DDOC -DWORK (run in the source tree, so that the paths read as the page shows them)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(STRINGS ${DOC} lines ENCODING UTF-8 REGEX "^glassbox: error: tests/data/specs/")
list(LENGTH lines count)
if(count LESS 5)
  message(FATAL_ERROR "${DOC}: expected its block of error messages, found ${count} lines")
endif()
foreach(line IN LISTS lines)
  string(REGEX MATCH "tests/data/specs/[a-z0-9_]+\\.json" spec "${line}")
  execute_process(COMMAND ${PROGRAM} run ${spec} --trace ${WORK}/t.json
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  string(STRIP "${err}" err)
  if(NOT rc EQUAL 2 OR NOT err STREQUAL line)
    message(FATAL_ERROR "${DOC} shows\n  ${line}\nbut glassbox run ${spec} exits ${rc} printing\n  ${err}")
  endif()
endforeach()
message(STATUS "${count} messages in ${DOC} are the program's own")
