# Configures glassbox with GLASSBOX_FUZZ=ON, then checks
#   - with Clang: the fuzz targets are part of the build, the library is instrumented for libFuzzer
#     (-fsanitize=fuzzer-no-link), and the package it would install carries none of those flags;
#   - with a compiler that is not Clang (${CXX}): configuring fails, saying that it needs Clang.
# The export files are written when the build tree is generated, so nothing needs to be built.
# -DSOURCE -DWORK -DCLANG (clang++) -DCXX (the compiler of the test suite's own build)
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/clang -G Ninja -DCMAKE_CXX_COMPILER=${CLANG}
    -DGLASSBOX_FUZZ=ON -DGLASSBOX_BUILD_CHAPTERS=OFF -DGLASSBOX_BUILD_TOOLS=OFF -DGLASSBOX_BUILD_TESTS=OFF
    -DGLASSBOX_BUILD_BENCH=OFF -DGLASSBOX_INSTALL=ON
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring with ${CLANG} and GLASSBOX_FUZZ=ON failed:\n${out}\n${err}")
endif()
file(READ ${WORK}/clang/build.ninja build_rules)
foreach(target fuzz_spec fuzz_csv fuzz_dataset fuzz_trace fuzz_idx)
  if(NOT build_rules MATCHES "${target}")
    message(FATAL_ERROR "with GLASSBOX_FUZZ=ON the target ${target} is not built")
  endif()
endforeach()
if(NOT build_rules MATCHES "-fsanitize=fuzzer-no-link")
  message(FATAL_ERROR "with GLASSBOX_FUZZ=ON the library is not instrumented (-fsanitize=fuzzer-no-link)")
endif()
file(GLOB_RECURSE exported ${WORK}/clang/CMakeFiles/Export/*/glassboxTargets*.cmake)
if(NOT exported)
  message(FATAL_ERROR "no exported glassboxTargets*.cmake under ${WORK}/clang/CMakeFiles/Export")
endif()
foreach(file IN LISTS exported)
  file(READ ${file} text)
  foreach(flag -fsanitize fuzzer -fno-sanitize-recover)
    string(FIND "${text}" "${flag}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} hands ${flag} to consumers")
    endif()
  endforeach()
endforeach()

if(NOT CXX MATCHES "clang")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/other -G Ninja -DCMAKE_CXX_COMPILER=${CXX}
      -DGLASSBOX_FUZZ=ON -DGLASSBOX_BUILD_CHAPTERS=OFF -DGLASSBOX_BUILD_TOOLS=OFF -DGLASSBOX_BUILD_TESTS=OFF
      -DGLASSBOX_BUILD_BENCH=OFF
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "GLASSBOX_FUZZ needs Clang")
    message(FATAL_ERROR "configuring with ${CXX} and GLASSBOX_FUZZ=ON should fail saying it needs Clang:\n${err}")
  endif()
endif()
message(STATUS "GLASSBOX_FUZZ: fuzz targets built with Clang, flags kept out of the package, other compilers refused")
