# A spec that must be refused: `glassbox COMMAND SPEC` exits 2, its message names the spec and
# contains the text tests/data/specs/errors.txt gives for it, and no trace is written.
# -DPROGRAM -DCOMMAND -DSPEC (relative to the working directory, the source tree) -DMANIFEST -DWORK
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(trace ${WORK}/t.json)

# The expected text: the rest of the manifest line that starts with the spec's file name.
get_filename_component(name ${SPEC} NAME)
file(READ ${MANIFEST} manifest)
string(FIND "${manifest}" "\n${name}  " at)
if(at EQUAL -1)
  message(FATAL_ERROR "${MANIFEST} has no line for ${name}")
endif()
string(LENGTH "\n${name}  " skip)
math(EXPR at "${at} + ${skip}")
string(SUBSTRING "${manifest}" ${at} -1 rest)
string(FIND "${rest}" "\n" end)
string(SUBSTRING "${rest}" 0 ${end} expected)

execute_process(COMMAND ${PROGRAM} ${COMMAND} ${SPEC} --trace ${trace}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "${COMMAND} ${SPEC}: expected exit 2, got ${rc}\nstderr: ${err}")
endif()
string(FIND "${err}" "${SPEC}" names_spec)
string(FIND "${err}" "${expected}" found)
if(names_spec EQUAL -1 OR found EQUAL -1)
  message(FATAL_ERROR "${COMMAND} ${SPEC}: the message should name the spec and contain\n  ${expected}\nit says:\n  ${err}")
endif()
file(GLOB partials ${WORK}/*.partial)
if(EXISTS ${trace} OR partials)
  message(FATAL_ERROR "${COMMAND} ${SPEC}: a trace was written")
endif()
