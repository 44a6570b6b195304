# The glassbox program's command line: usage errors exit 2 saying what is wrong and write nothing;
# --help lists the commands; a trace that cannot be written exits 1 naming the path.
# -DPROGRAM -DSPEC (a valid spec) -DWORK
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(trace ${WORK}/t.json)

include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
function(expect_usage_error expected_text)
  expect_refusal(WHAT "${ARGN}" TEXT "${expected_text}" TRACE ${trace} COMMAND ${PROGRAM} ${ARGN} --trace ${trace})
endfunction()

expect_usage_error("missing COMMAND")
expect_usage_error("missing SPEC" run)
expect_usage_error("unknown command \"rnu\" (did you mean \"run\"?); the commands are run, gradcheck" rnu ${SPEC})
expect_usage_error("unknown option --epochs" run ${SPEC} --epochs 3)
expect_usage_error("--seed: \"-1\" is not allowed" run ${SPEC} --seed -1)
expect_usage_error("--trace-level: \"loud\" is not allowed; expected one of off, summary, step, full" run ${SPEC} --trace-level loud)
expect_usage_error("unexpected argument \"extra\"" run ${SPEC} extra)
expect_usage_error("${WORK}/no-such-spec.json: cannot open the file" run ${WORK}/no-such-spec.json)
expect_usage_error("${WORK}/no-such-spec.json: cannot open the file" gradcheck ${WORK}/no-such-spec.json)

execute_process(COMMAND ${PROGRAM} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(FIND "${out}" "gradcheck" lists_gradcheck)
if(NOT rc EQUAL 0 OR NOT out MATCHES "usage: glassbox COMMAND SPEC" OR lists_gradcheck EQUAL -1)
  message(FATAL_ERROR "--help: expected exit 0, a usage line and the commands, got ${rc}: ${out}")
endif()

# A trace path under a regular file cannot be created: the run fails (exit 1) naming it.
file(WRITE ${WORK}/a-file "")
execute_process(COMMAND ${PROGRAM} run ${SPEC} --quiet --trace ${WORK}/a-file/t.json RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "a-file")
  message(FATAL_ERROR "unwritable trace path: expected exit 1 naming the path, got ${rc}: ${err}")
endif()
