# Flavor enforcement for every target of the build (DESIGN §6):
#  - compile: testnet translation units force-include tt_poison_testnet.h;
#  - link:    every executable pulls in the flavor marker (-u tt_flavor_marker, provided by
#             libttflavor through libttcore) and, in testnet, the implicit linker script
#             flavor_testnet.ld that ASSERTs the prod marker is undefined;
#  - scan:    every executable is scanned right after its link (scan-binary.sh); test
#             programs under tests/ skip the hostname part (they carry prod names on purpose).
get_filename_component(TT_FLAVOR_DIR ${CMAKE_CURRENT_LIST_DIR}/../harness/flavor ABSOLUTE)

# Appends the scan to the link rule (a second command of the rule, run after the link) of executables in this directory scope (and the
# directories added below it). tests/ calls it with --symbols-only.
macro(tt_flavor_scan_links opt)
	if(TT_FLAVOR STREQUAL "testnet")
		foreach(lang C CXX)
			set(CMAKE_${lang}_LINK_EXECUTABLE
				"<CMAKE_${lang}_COMPILER> <FLAGS> <CMAKE_${lang}_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>"
				"${TT_FLAVOR_DIR}/scan-binary.sh --delete-bad ${opt} <TARGET>")
		endforeach()
	endif()
endmacro()
if(TT_FLAVOR STREQUAL "testnet")
	target_compile_options(tt_warnings INTERFACE
		"SHELL:-include ${TT_FLAVOR_DIR}/tt_poison_testnet.h")
	add_link_options(-Wl,--undefined=tt_flavor_marker ${TT_FLAVOR_DIR}/flavor_testnet.ld)
	tt_flavor_scan_links("")

else()
	add_link_options(-Wl,--undefined=tt_flavor_marker)
endif()
