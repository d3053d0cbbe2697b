# Turns every NNN_name.sql of a schema folder into one C++ file (run by the build, see
# store/CMakeLists.txt and store/postgres/CMakeLists.txt), so the binary carries its
# migrations and needs no files at run time. One script for both engines.
#
# Inputs: SCHEMA_DIR (the folder of .sql files), OUTPUT (the .cc to write), and what the
# file defines: HEADER (its #include), NAMESPACE, TYPE (the element type) and FUNCTION
# (returning std::span<const TYPE>). Defaults: SQLite's store/migrations.h,
# rm::store, Migration, AllMigrations.
# Rules enforced here, at build time: names are NNN_lower_snake.sql, versions run
# 1, 2, 3, ... with no gap or duplicate (two helpers picking the same number fails the build).
if(NOT DEFINED HEADER)
  set(HEADER "store/migrations.h")
  set(NAMESPACE "rm::store")
  set(TYPE "Migration")
  set(FUNCTION "AllMigrations")
endif()
file(RELATIVE_PATH shown_dir "${CMAKE_CURRENT_LIST_DIR}/../.." "${SCHEMA_DIR}")

file(GLOB sql_files "${SCHEMA_DIR}/*.sql")
list(SORT sql_files)

set(entries "")
set(expected 1)
foreach(file ${sql_files})
  get_filename_component(base "${file}" NAME)
  if(NOT base MATCHES "^([0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "${shown_dir}/${base}: migration files must be named NNN_lower_snake_name.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")  # strips leading zeros
  set(name "${CMAKE_MATCH_2}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "${shown_dir}/${base}: expected migration number ${expected}; numbers must run 1, 2, 3, ... without gaps or duplicates")
  endif()
  file(READ "${file}" sql)
  string(FIND "${sql}" ")rm_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${shown_dir}/${base} contains the raw-string delimiter )rm_sql\"")
  endif()
  string(APPEND entries "    {${version}, \"${name}\", R\"rm_sql(${sql})rm_sql\"},\n")
  math(EXPR expected "${expected} + 1")
endforeach()

if(expected EQUAL 1)
  message(FATAL_ERROR "no migrations found in ${SCHEMA_DIR}")
endif()

set(content "// Generated from ${shown_dir}/*.sql by store/schema/embed_migrations.cmake. Do not edit.
#include \"${HEADER}\"

namespace ${NAMESPACE} {

std::span<const ${TYPE}> ${FUNCTION}() {
  static constexpr ${TYPE} kMigrations[] = {
${entries}  };
  return kMigrations;
}

}  // namespace ${NAMESPACE}
")
# Rewrite only on change, so an unchanged schema does not recompile anything.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
