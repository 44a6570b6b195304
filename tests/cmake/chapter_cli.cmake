# Bad command lines: each exits 2, says what is wrong on stderr, and writes no trace; run from a
# fresh folder with the default trace path, it leaves nothing there, not even traces/.
# An unwritable trace path exits non-zero with a message naming it. --help exits 0.
# -DPROGRAM -DWORK
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(trace ${WORK}/t.json)

include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
function(expect_usage_error expected_text)
  expect_refusal(WHAT "${ARGN}" TEXT "${expected_text}" TRACE ${trace} REGEX COMMAND ${PROGRAM} --trace ${trace} ${ARGN})
endfunction()

expect_usage_error("unknown option --no-such-flag" --no-such-flag)
expect_usage_error("did you mean --seed" --sed 3)
expect_usage_error("--seed: \"abc\" is not allowed" --seed abc)
expect_usage_error("--seed: \"-1\" is not allowed" --seed -1)
expect_usage_error("--trace-level: \"loud\" is not allowed; expected one of off, summary, step, full" --trace-level loud)
expect_usage_error("--seed needs a value" --seed)
expect_usage_error("unexpected argument" stray)

file(MAKE_DIRECTORY ${WORK}/fresh)
execute_process(COMMAND ${PROGRAM} --quiet --seed -1 WORKING_DIRECTORY ${WORK}/fresh RESULT_VARIABLE rc ERROR_QUIET)
file(GLOB left ${WORK}/fresh/*)
if(NOT rc EQUAL 2 OR left)
  message(FATAL_ERROR "--seed -1 in a fresh folder: expected exit 2 and nothing left there, got ${rc}: ${left}")
endif()

execute_process(COMMAND ${PROGRAM} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "usage:")
  message(FATAL_ERROR "--help: expected exit 0 and a usage line, got ${rc}: ${out}")
endif()

# A trace path under a regular file cannot be created.
file(WRITE ${WORK}/a-file "")
execute_process(COMMAND ${PROGRAM} --quiet --trace ${WORK}/a-file/t.json RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "a-file")
  message(FATAL_ERROR "unwritable trace path: expected a non-zero exit naming the path, got ${rc}: ${err}")
endif()
