# Configures glassbox with -march=native and the sanitizers on, without the chapters, then checks
#   - that the glassbox program is still part of the build (it does not need the chapters);
#   - the package it would install: the exported targets must carry neither flag, so that a
#     consumer's build is not tuned for this machine nor linked against the sanitizer runtimes.
# The export files are written when the build tree is generated, so nothing needs to be built.
# -DSOURCE -DWORK (the Ninja generator: its build.ninja is read)
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK} -G Ninja -DGLASSBOX_NATIVE=ON
    -DGLASSBOX_SANITIZE=ON -DGLASSBOX_BUILD_CHAPTERS=OFF -DGLASSBOX_BUILD_TOOLS=ON -DGLASSBOX_BUILD_TESTS=OFF
    -DGLASSBOX_BUILD_BENCH=OFF -DGLASSBOX_INSTALL=ON
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring failed:\n${out}\n${err}")
endif()
file(GLOB_RECURSE exported ${WORK}/CMakeFiles/Export/*/glassboxTargets*.cmake)
if(NOT exported)
  message(FATAL_ERROR "no exported glassboxTargets*.cmake under ${WORK}/CMakeFiles/Export")
endif()
file(READ ${WORK}/build.ninja build_rules)
if(NOT build_rules MATCHES "glassbox_tool")
  message(FATAL_ERROR "with GLASSBOX_BUILD_CHAPTERS=OFF the glassbox program is not built")
endif()
if(build_rules MATCHES "ch01_mcculloch_pitts")
  message(FATAL_ERROR "with GLASSBOX_BUILD_CHAPTERS=OFF a chapter is still built")
endif()
# The same build tree's own flags must have them (else this test could not fail).
if(NOT build_rules MATCHES "-march=native" OR NOT build_rules MATCHES "-fsanitize=address")
  message(FATAL_ERROR "the build tree itself lacks -march=native or -fsanitize: the test sees nothing")
endif()
foreach(file IN LISTS exported)
  file(READ ${file} text)
  foreach(flag -march -fsanitize -fno-sanitize-recover -fno-omit-frame-pointer)
    string(FIND "${text}" "${flag}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} hands ${flag} to consumers")
    endif()
  endforeach()
  message(STATUS "${file}: no machine or sanitizer flags")
endforeach()
