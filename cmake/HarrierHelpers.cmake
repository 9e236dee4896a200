# Build helpers shared by every module.
#
#   harrier_module(NAME SOURCES a.cc b.cc DEPS harrier_core ...)
#     One static library `harrier_<NAME>` per folder under src/. Sources are listed by name.
#   harrier_test(NAME SOURCES a_test.cc DEPS harrier_x LABEL unit|integration|e2e)
#     One GoogleTest binary `<NAME>`; its tests are registered with CTest under LABEL.

set(HARRIER_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
if(HARRIER_WERROR)
  list(APPEND HARRIER_WARNINGS -Werror)
endif()

add_library(harrier_options INTERFACE)
target_compile_options(harrier_options INTERFACE ${HARRIER_WARNINGS})
target_include_directories(harrier_options INTERFACE ${CMAKE_SOURCE_DIR}/src)
if(HARRIER_SANITIZE)
  target_compile_options(harrier_options INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(harrier_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(harrier_options INTERFACE HARRIER_SANITIZED=1)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  target_compile_options(harrier_options INTERFACE -O2)
endif()

function(harrier_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(harrier_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(harrier_${name} PUBLIC harrier_options ${ARG_DEPS})
endfunction()

function(harrier_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  if(NOT HARRIER_BUILD_TESTS)
    return()
  endif()
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE harrier_options ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    HARRIER_SOURCE_DIR="${HARRIER_SOURCE_DIR}"
    HARRIER_BINARY="$<TARGET_FILE_DIR:harrier>/harrier")
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

function(harrier_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE harrier_options ${ARG_DEPS} benchmark::benchmark)
  target_compile_definitions(${name} PRIVATE HARRIER_SOURCE_DIR="${HARRIER_SOURCE_DIR}")
endfunction()
