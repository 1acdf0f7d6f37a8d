# Shared build settings: warning flags for our code, sanitizers, flavor define, test helper.

add_library(tt_warnings INTERFACE)
target_compile_options(tt_warnings INTERFACE
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
	-Wno-unused-parameter -fno-strict-aliasing)
target_compile_definitions(tt_warnings INTERFACE _GNU_SOURCE
	TT_FLAVOR_$<UPPER_CASE:${TT_FLAVOR}>=1 TT_FLAVOR_NAME="${TT_FLAVOR}")

if(TT_SANITIZE STREQUAL "asan")
	add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
	add_link_options(-fsanitize=address,undefined)
elseif(TT_SANITIZE STREQUAL "tsan")
	add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
	add_link_options(-fsanitize=thread)
elseif(TT_SANITIZE STREQUAL "fuzz")
	# libFuzzer builds (clang only): instrument everything, link the driver per target.
	set(TT_FUZZ ON)
	add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
elseif(NOT TT_SANITIZE STREQUAL "")
	message(FATAL_ERROR "TT_SANITIZE must be empty, asan, tsan or fuzz, found '${TT_SANITIZE}'")
endif()

# tt_add_test(NAME SOURCES a.c b.c LIBS x y [LABELS l1 l2] [TIMEOUT s])
# One cmocka executable = one ctest test. Labels: unit (fast, also run under ASan),
# stress, e2e, fuzz-regress.
function(tt_add_test name)
	cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA tt_warnings)
	add_test(NAME ${name} COMMAND ${name})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	if(NOT T_LABELS)
		set(T_LABELS unit)
	endif()
	set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
		ENVIRONMENT "TT_SOURCE_DIR=${CMAKE_SOURCE_DIR};TT_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

# tt_glob_tests(LIBS a b ...): one test per source in the calling folder, named by file:
#   test_*.c   label "unit"   (fast; also run under ASan+UBSan by `make test`)
#   stress_*.c label "stress" (real processes, long loops; testnet build only)
#   e2e_*.c    label "e2e"    (several real processes end to end; testnet build only)
# A folder that needs more (extra sources, a timeout) calls tt_add_test itself instead.
function(tt_glob_tests)
	cmake_parse_arguments(G "" "" "LIBS" ${ARGN})
	file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.c
		${CMAKE_CURRENT_SOURCE_DIR}/stress_*.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e_*.c)
	foreach(src ${srcs})
		get_filename_component(name ${src} NAME_WE)
		if(name MATCHES "^stress_")
			tt_add_test(${name} SOURCES ${src} LIBS ${G_LIBS} LABELS stress TIMEOUT 600)
		elseif(name MATCHES "^e2e_")
			tt_add_test(${name} SOURCES ${src} LIBS ${G_LIBS} LABELS e2e TIMEOUT 600)
		else()
			tt_add_test(${name} SOURCES ${src} LIBS ${G_LIBS})
		endif()
	endforeach()
endfunction()
