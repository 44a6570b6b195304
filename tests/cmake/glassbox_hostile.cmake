# Specs made to exhaust the reader are refused quickly: exit 2, a message naming the file, where
# and the limit, and no trace. -DPROGRAM -DWORK -DSANITIZE
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(trace ${WORK}/t.json)

include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
function(expect_refused spec expected_text)
  expect_refusal(WHAT "run ${spec}" TEXT "${expected_text}" TRACE ${trace} COMMAND ${PROGRAM} run ${spec} --trace ${trace})
endfunction()

# 100000 brackets deep, then another key (that overflowed the stack): refused at the 101st level.
string(REPEAT "[" 100000 open)
string(REPEAT "]" 100000 close)
file(WRITE ${WORK}/deep.json "{\"a\": ${open}${close}, \"b\": 1}\n")
expect_refused(${WORK}/deep.json "${WORK}/deep.json:1:106: nesting deeper than 100 levels")

# Endless input: the reader stops one byte past its limit.
if(EXISTS /dev/zero)
  expect_refused(/dev/zero "/dev/zero: larger than 16 MiB, the most a spec may be")
  file(WRITE ${WORK}/zero_csv.json [=[{
  "network": {"inputs": 1, "layers": [{"units": 1, "activation": "identity"}]},
  "loss": "mse",
  "optimizer": {"name": "sgd", "learning_rate": 0.1},
  "data": {"csv": "/dev/zero", "target_columns": ["y"]}
}
]=])
  expect_refused(${WORK}/zero_csv.json "data.csv: /dev/zero: larger than 256 MiB, the most a CSV file may be")
endif()

# A network too large for the memory there is (here a limit on the address space; not under the
# sanitizers, which reserve more than that): exit 1 naming what was being done, and no trace left.
find_program(SH sh)
if(SH AND NOT SANITIZE)
  file(WRITE ${WORK}/huge.json [=[{
  "network": {"inputs": 2, "layers": [{"units": 10000, "activation": "relu"}, {"units": 10000, "activation": "relu"},
                                      {"units": 1, "activation": "sigmoid"}]},
  "loss": "bce",
  "optimizer": {"name": "sgd", "learning_rate": 0.1},
  "data": {"generator": "make_moons", "samples": 10}
}
]=])
  execute_process(COMMAND ${SH} -c "ulimit -v 600000 && exec \"$0\" run \"$1\" --trace \"$2\""
                          ${PROGRAM} ${WORK}/huge.json ${trace}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  string(FIND "${err}" "${WORK}/huge.json: out of memory while training" found)
  if(NOT rc EQUAL 1 OR found EQUAL -1)
    message(FATAL_ERROR "run huge.json in 600 MB: expected exit 1, 'out of memory while training'; got ${rc}: ${err}")
  endif()
  if(EXISTS ${trace} OR EXISTS ${trace}.partial)
    message(FATAL_ERROR "run huge.json: a trace was left")
  endif()
endif()
