# Installs the library with an exported CMake package, so that another project can write
#   find_package(glassbox CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE glassbox::glassbox)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS glassbox glassbox_settings EXPORT glassboxTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/glassbox DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(GLASSBOX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/glassbox)
install(EXPORT glassboxTargets NAMESPACE glassbox:: DESTINATION ${GLASSBOX_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/glassboxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/glassboxConfig.cmake INSTALL_DESTINATION ${GLASSBOX_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/glassboxConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/glassboxConfig.cmake ${PROJECT_BINARY_DIR}/glassboxConfigVersion.cmake
        DESTINATION ${GLASSBOX_CMAKE_DIR})
