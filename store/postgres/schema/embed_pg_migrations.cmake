# Turns every store/postgres/schema/NNN_name.sql into one C++ file defining
# rm::store::postgres::AllPgMigrations(), so the binary carries its PostgreSQL
# migrations and needs no files at run time. A copy of store/schema/embed_migrations.cmake
# with its own header and symbol: that script hard-codes store/migrations.h and AllMigrations().
#
# Inputs: SCHEMA_DIR (the folder of .sql files), OUTPUT (the .cc to write).
# Same rules as SQLite's, checked at build time: names NNN_lower_snake.sql,
# versions 1, 2, 3, ... without gaps or duplicates.
file(GLOB sql_files "${SCHEMA_DIR}/*.sql")
list(SORT sql_files)

set(entries "")
set(expected 1)
foreach(file ${sql_files})
  get_filename_component(base "${file}" NAME)
  if(NOT base MATCHES "^([0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "store/postgres/schema/${base}: migration files must be named NNN_lower_snake_name.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")  # strips leading zeros
  set(name "${CMAKE_MATCH_2}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "store/postgres/schema/${base}: expected migration number ${expected}; numbers must run 1, 2, 3, ... without gaps or duplicates")
  endif()
  file(READ "${file}" sql)
  string(FIND "${sql}" ")rm_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "store/postgres/schema/${base} contains the raw-string delimiter )rm_sql\"")
  endif()
  string(APPEND entries "    {${version}, \"${name}\", R\"rm_sql(${sql})rm_sql\"},\n")
  math(EXPR expected "${expected} + 1")
endforeach()

if(expected EQUAL 1)
  message(FATAL_ERROR "no migrations found in ${SCHEMA_DIR}")
endif()

set(content "// Generated from store/postgres/schema/*.sql by store/postgres/schema/embed_pg_migrations.cmake. Do not edit.
#include \"store/postgres/pg_migrations.h\"

namespace rm::store::postgres {

std::span<const PgMigration> AllPgMigrations() {
  static constexpr PgMigration kMigrations[] = {
${entries}  };
  return kMigrations;
}

}  // namespace rm::store::postgres
")
# Rewrite only on change, so an unchanged schema does not recompile anything.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
