# glassbox view: the page it writes holds the viewer's scripts and the trace, with nothing left to
# fetch; a missing file, a file that is not a trace, a trace over --max-size and an output that is
# the trace itself are refused (exit 2) writing nothing; a '<' in the trace cannot end the page's
# script element. -DPROGRAM -DSPEC (a spec to run for a trace) -DWORK
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(trace ${WORK}/worked.json)
execute_process(COMMAND ${PROGRAM} run ${SPEC} --quiet --trace ${trace} --trace-level full RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "glassbox run ${SPEC}: exit ${rc}")
endif()

function(expect_contains what text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: should contain '${needle}'")
  endif()
endfunction()
function(expect_lacks what text needle)
  string(FIND "${text}" "${needle}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${what}: should not contain '${needle}'")
  endif()
endfunction()

# -o FILE: written, its path printed, the trace inside, every script and the style inlined.
execute_process(COMMAND ${PROGRAM} view ${trace} -o ${WORK}/page.html RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "${WORK}/page.html\n")
  message(FATAL_ERROR "view -o: expected exit 0 and the page's path on stdout, got ${rc}: '${out}' ${err}")
endif()
file(READ ${WORK}/page.html page)
file(STRINGS ${trace} lines)
list(GET lines 2 first_event)  # line 1 the header, line 2 "events":[
expect_contains("the page" "${page}" "<script type=\"application/json\" id=\"inline-trace\" data-name=\"worked.json\">")
expect_contains("the page" "${page}" "${first_event}")
expect_contains("the page" "${page}" "GB.TraceFile = class TraceFile")  # trace-file.js
expect_contains("the page" "${page}" "GB.Player = class Player")        # player.js
expect_contains("the page" "${page}" "svg.network .edge")               # viewer.css
expect_lacks("the page" "${page}" "<script src=")
expect_lacks("the page" "${page}" "<link rel=\"stylesheet\"")
foreach(fetch "src=\"http" "href=\"http" "fetch(" "XMLHttpRequest" "import(")  # nothing fetched at run time
  expect_lacks("the page" "${page}" "${fetch}")
endforeach()
file(GLOB partials ${WORK}/*.partial)
if(partials)
  message(FATAL_ERROR "view left a partial file: ${partials}")
endif()

# Without -o: beside the trace, .json → .html.
execute_process(COMMAND ${PROGRAM} view ${trace} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/worked.html OR NOT out STREQUAL "${WORK}/worked.html\n")
  message(FATAL_ERROR "view without -o: expected ${WORK}/worked.html, got exit ${rc}: '${out}'")
endif()

# A '<' inside the trace's text is written \u003c (the same character to JSON), so "</script>" in a
# string cannot close the element early.
file(WRITE ${WORK}/tricky.json "{\"schema\":\"glassbox-trace\",\"version\":1,\"program\":\"x</script><b>\",\"chapter\":0,\"seed\":1,\"trace_level\":\"summary\",\"hyperparameters\":{},\n\"events\":[\n],\n\"result\":{}}\n")
execute_process(COMMAND ${PROGRAM} view ${WORK}/tricky.json -o ${WORK}/tricky.html RESULT_VARIABLE rc)
file(READ ${WORK}/tricky.html page)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "view tricky.json: exit ${rc}")
endif()
expect_lacks("tricky.html" "${page}" "x</script><b>")
expect_contains("tricky.html" "${page}" "x\\u003c/script>\\u003cb>")

# Refusals: exit 2, the reason named, nothing written.
function(expect_refused expected_text output)
  execute_process(COMMAND ${PROGRAM} view ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "view ${ARGN}: expected exit 2, got ${rc}\nstderr: ${err}")
  endif()
  string(FIND "${err}" "${expected_text}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "view ${ARGN}: stderr should contain '${expected_text}', it says: ${err}")
  endif()
  file(GLOB partials ${WORK}/*.partial)
  if((output AND EXISTS ${output}) OR partials)
    message(FATAL_ERROR "view ${ARGN}: something was written")
  endif()
endfunction()
expect_refused("${WORK}/missing.json: cannot open the file" ${WORK}/missing.html ${WORK}/missing.json)
expect_refused("${SPEC}: line 1: \"schema\" is not \"glassbox-trace\"" ${WORK}/spec.html ${SPEC} -o ${WORK}/spec.html)
file(WRITE ${WORK}/notes.json "some notes\n")
expect_refused("notes.json: line 1: not the header of a glassbox trace" ${WORK}/notes.html ${WORK}/notes.json)
file(WRITE ${WORK}/other.json "{\"schema\":\"something-else\",\n\"events\":[\n]}\n")
expect_refused("other.json: line 1: \"schema\" is not \"glassbox-trace\"" ${WORK}/other.html ${WORK}/other.json)
expect_refused("more than the 1 kB a page with the trace inside may hold (--max-size SIZE raises it); for a trace this large, open viewer/index.html"
               ${WORK}/big.html ${trace} --max-size 1K -o ${WORK}/big.html)
expect_refused("that is the trace itself" "" ${trace} -o ${trace})
expect_refused("--max-size: \"lots\" is not a size" ${WORK}/x.html ${trace} --max-size lots -o ${WORK}/x.html)
expect_refused("view: give the trace to show" "")
expect_refused("view: unknown option \"--trace\"" "" ${trace} --trace x)
file(STRINGS ${trace} after)
if(NOT after STREQUAL lines)
  message(FATAL_ERROR "view -o TRACE changed the trace")
endif()

execute_process(COMMAND ${PROGRAM} view --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "usage: glassbox view TRACE")
  message(FATAL_ERROR "view --help: expected exit 0 and a usage line, got ${rc}: ${out}")
endif()
