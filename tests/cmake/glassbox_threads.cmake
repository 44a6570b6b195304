# The thread count and the SIMD width change the speed, never a number: glassbox run writes the same
# trace bytes with --threads 1, --threads 2, GLASSBOX_THREADS=2 and every GLASSBOX_SIMD width this
# processor has. Bad values of --threads, GLASSBOX_THREADS and GLASSBOX_SIMD exit 2 naming what is
# wrong, and write nothing.
# -DPROGRAM -DSPEC (large enough for the products to be split) -DWORK
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# run_to(TRACE [ENV VAR=VALUE …] [ARGS option …])
function(run_to trace)
  cmake_parse_arguments(RUN "" "" "ENV;ARGS" ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${RUN_ENV} -- ${PROGRAM} run ${SPEC} --quiet ${RUN_ARGS}
    --trace ${WORK}/${trace} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`${ARGN}`: expected exit 0, got ${rc}\nstderr: ${err}")
  endif()
endfunction()

function(expect_same reference trace)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${reference} ${WORK}/${trace} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${trace} differs from ${reference}: the bits depend on the threads or the width")
  endif()
endfunction()

run_to(one.json ENV GLASSBOX_SIMD=sse2 ARGS --threads 1)
run_to(two.json ENV GLASSBOX_SIMD=sse2 ARGS --threads 2)
run_to(env_two.json ENV GLASSBOX_THREADS=2 GLASSBOX_SIMD=sse2)
run_to(three.json ENV GLASSBOX_SIMD=sse2 ARGS --threads 3)
expect_same(one.json two.json)
expect_same(one.json env_two.json)
expect_same(one.json three.json)
foreach(width avx2 avx512)
  # Only the widths this processor runs: a refused one says "not available here".
  execute_process(COMMAND ${CMAKE_COMMAND} -E env GLASSBOX_SIMD=${width} -- ${PROGRAM} run ${SPEC} --quiet --threads 2
    --trace ${WORK}/${width}.json RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0)
    expect_same(one.json ${width}.json)
  elseif(NOT rc EQUAL 2 OR NOT err MATCHES "GLASSBOX_SIMD: ${width} is not available here")
    message(FATAL_ERROR "GLASSBOX_SIMD=${width}: expected exit 0, or 2 saying it is not available; got ${rc}: ${err}")
  endif()
endforeach()

include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
function(expect_usage_error expected_text)
  file(REMOVE ${WORK}/bad.json)
  expect_refusal(WHAT "${ARGN}" TEXT "${expected_text}" TRACE ${WORK}/bad.json
                 COMMAND ${CMAKE_COMMAND} -E env ${ARGN} run ${SPEC} --trace ${WORK}/bad.json)
endfunction()

expect_usage_error("--threads: \"0\" is not allowed; expected a whole number from 1 to 256" -- ${PROGRAM} --threads 0)
expect_usage_error("--threads: \"many\" is not allowed" -- ${PROGRAM} --threads many)
expect_usage_error("--threads: \"257\" is not allowed" -- ${PROGRAM} --threads 257)
expect_usage_error("GLASSBOX_THREADS: \"-1\" is not allowed; expected a whole number from 1 to 256" GLASSBOX_THREADS=-1 -- ${PROGRAM})
expect_usage_error("GLASSBOX_SIMD: \"neon\" is not a SIMD width; expected one of" GLASSBOX_SIMD=neon -- ${PROGRAM})
