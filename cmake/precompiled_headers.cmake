# Precompiled headers: the library headers nearly every file of a target includes (the
# standard library, Boost.JSON, spdlog; GoogleTest in tests, CLI11 in app/, Beast in
# transports/) are parsed once per target instead of once per file. Parsing them was about
# half of a test file's compile time under the sanitizers (3.9 of 6.6 s); with them,
# scripts/test's sanitizer build took 792 s instead of 920 s on CI's 2 cores.
#
# On by default with clang only. GCC 12 reports -Warray-bounds false positives from inside
# <string> when it comes from a precompiled header (they are silenced in system headers
# otherwise), and CI's GCC build has -Werror; that build, without precompiled headers, is
# also the one that catches a file that forgot an #include.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(rm_pch_default ON)
else()
  set(rm_pch_default OFF)
endif()
option(RM_PRECOMPILED_HEADERS "Precompile the library headers most files of a target include" ${rm_pch_default})

set(RM_PCH_STD <algorithm> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional> <set> <string>
               <string_view> <unordered_map> <utility> <vector>)

# rm_precompile_headers(target <header>...): the target's files get these headers parsed once.
function(rm_precompile_headers target)
  if(RM_PRECOMPILED_HEADERS)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
