// Every way a caller can get a tool's arguments wrong, one table row per case,
// for every tool of SPEC §5: the call is a tool error (isError) whose message
// starts with the field at fault, and afterwards the database is exactly as it
// was — no memory, version, usage row or idempotency record written, not even
// the delayed usage row of a read. Ids that do not exist, or that the caller's
// vendor may not see, are `not_found` on every tool that takes an id.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/tools/memory_test_env.h"
#include "tests/tools/stored_state.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

enum class Who { kOwner, kAgent };  // an owner key, or a "cursor" agent key of the same user

struct Case {
  std::string tool;
  json::object args;
  std::string code;            // the error code expected
  std::string message_starts;  // what the message must begin with (the field, or "memory '<id>' not found")
  Who who = Who::kOwner;
};

json::array Strings(int n, const std::string& prefix) {
  json::array out;
  for (int i = 0; i < n; ++i) out.emplace_back(prefix + std::to_string(i));
  return out;
}

class ToolValidationTable : public ::testing::Test {
 protected:
  ToolValidationTable() : alice_(env_.AddUser("alice@example.com", "pro")) {
    owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
    agent_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
    mine_ = Write({{"title", "visible"}, {"content", "c"}, {"tags", {"ops"}}});
    Write({{"title", "second"}, {"content", "c"}});
    hidden_ = Write({{"title", "owner keys only"}, {"content", "c"}, {"allowed_vendors", json::array{}}});
    trashed_ = Write({{"title", "trashed"}, {"content", "c"}});
    hidden_trashed_ = Write({{"title", "hidden, trashed"}, {"content", "c"}, {"allowed_vendors", json::array{}}});
    for (const std::string& id : {trashed_, hidden_trashed_}) {
      EXPECT_FALSE(owner_->Call("delete_memory", {{"id", id}}).is_error);
    }
    // Real cursors of each kind of list, to offer where they do not belong. List
    // cursors (browse, by tag, org, team) are positions in the newest-first order and
    // serve any of those lists; a search cursor serves searches only (tools/cursor.h).
    browse_cursor_ = Str(owner_->Call("browse_memories", {{"limit", 1}}).structured.at("next_cursor"));
    search_cursor_ =
        Str(owner_->Call("search_memories", {{"term", "c"}, {"limit", 1}}).structured.at("next_cursor"));
  }

  std::string Write(json::object args) {
    CallResult r = owner_->Call("write_memory", std::move(args));
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }

  std::vector<Case> Table() const;
  // Runs one row: a tool error with the expected code and message, nothing stored.
  void ExpectFailsChangingNothing(const Case& c);

  MemoryTestEnv env_;
  std::string alice_;
  std::unique_ptr<Client> owner_, agent_;
  std::string mine_, hidden_, trashed_, hidden_trashed_, browse_cursor_, search_cursor_;
};

std::vector<Case> ToolValidationTable::Table() const {
  const std::string title_501(501, 't');
  const std::string content_100001(100001, 'c');
  const std::string tag_65(65, 'g');
  const std::string vendor_33(33, 'v');
  const std::string id_129(129, 'i');
  const std::string request_id_129(129, 'r');
  const std::string term_1001(1001, 'w');
  const json::array tags_51 = Strings(51, "t");
  const json::array vendors_17 = Strings(17, "v");
  const std::string v = "validation_error";
  const std::string nf = "not_found";
  auto not_found = [](const std::string& id) { return "memory '" + id + "' not found"; };

  return {
      // ---------------------------------------------------------------- write_memory
      {"write_memory", {{"content", "c"}}, v, "title"},
      {"write_memory", {{"title", "t"}}, v, "content"},
      {"write_memory", {{"title", 5}, {"content", "c"}}, v, "title"},
      {"write_memory", {{"title", "t"}, {"content", json::array{}}}, v, "content"},
      {"write_memory", {{"title", title_501}, {"content", "c"}}, v, "title"},
      {"write_memory", {{"title", "  "}, {"content", "c"}}, v, "title"},
      {"write_memory", {{"title", "t"}, {"content", content_100001}}, v, "content"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"tags", "ops"}}, v, "tags"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"tags", tags_51}}, v, "tags"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"tags", {"ok", tag_65}}}, v, "tags[1]"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"tags", {"ok", 7}}}, v, "tags[1]"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"memory_type", "opinion"}}, v, "memory_type"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"allowed_vendors", vendors_17}}, v, "allowed_vendors"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"allowed_vendors", {"claude", "Cursor"}}}, v,
       "allowed_vendors[1]"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"allowed_vendors", {"9lives"}}}, v, "allowed_vendors[0]"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"allowed_vendors", {vendor_33}}}, v, "allowed_vendors[0]"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"share_scope", "world"}}, v, "share_scope"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"share_scope", "org"}}, v, "share_scope"},  // no org
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"share_scope", "team"}}, v, "share_scope"},  // no team
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"request_id", ""}}, v, "request_id"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"request_id", request_id_129}}, v, "request_id"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"request_id", 42}}, v, "request_id"},
      {"write_memory", {{"title", "t"}, {"content", "c"}, {"colour", "red"}}, v, "colour"},

      // ---------------------------------------------------------------- write_child_memory
      {"write_child_memory", {{"title", "r"}, {"content", "c"}}, v, "parent_memory_id"},
      {"write_child_memory", {{"parent_memory_id", mine_}, {"content", "c"}}, v, "title"},
      {"write_child_memory", {{"parent_memory_id", mine_}, {"title", title_501}, {"content", "c"}}, v, "title"},
      {"write_child_memory", {{"parent_memory_id", mine_}, {"title", "r"}, {"content", "c"}, {"tags", {tag_65}}}, v,
       "tags[0]"},
      {"write_child_memory",
       {{"parent_memory_id", mine_}, {"title", "r"}, {"content", "c"}, {"memory_type", "Semantic"}}, v,
       "memory_type"},
      {"write_child_memory",
       {{"parent_memory_id", mine_}, {"title", "r"}, {"content", "c"}, {"allowed_vendors", {"has space"}}}, v,
       "allowed_vendors[0]"},
      // Replies are shared where their parent is: share_scope is not theirs to choose.
      {"write_child_memory", {{"parent_memory_id", mine_}, {"title", "r"}, {"content", "c"}, {"share_scope", "org"}},
       v, "share_scope"},
      {"write_child_memory", {{"parent_memory_id", "no-such-id"}, {"title", "r"}, {"content", "c"}}, nf,
       not_found("no-such-id")},
      {"write_child_memory", {{"parent_memory_id", trashed_}, {"title", "r"}, {"content", "c"}}, nf,
       not_found(trashed_)},
      {"write_child_memory", {{"parent_memory_id", hidden_}, {"title", "r"}, {"content", "c"}}, nf, not_found(hidden_),
       Who::kAgent},

      // ---------------------------------------------------------------- update_memory
      {"update_memory", {{"title", "t"}}, v, "id"},
      {"update_memory", {{"id", 12}, {"title", "t"}}, v, "id"},
      {"update_memory", {{"id", mine_}}, v, "nothing to update"},
      {"update_memory", {{"id", mine_}, {"title", title_501}}, v, "title"},
      {"update_memory", {{"id", mine_}, {"title", ""}}, v, "title"},
      {"update_memory", {{"id", mine_}, {"content", content_100001}}, v, "content"},
      {"update_memory", {{"id", mine_}, {"tags", tags_51}}, v, "tags"},
      {"update_memory", {{"id", mine_}, {"tags", {"  "}}}, v, "tags[0]"},
      {"update_memory", {{"id", mine_}, {"memory_type", "opinion"}}, v, "memory_type"},
      {"update_memory", {{"id", mine_}, {"allowed_vendors", vendors_17}}, v, "allowed_vendors"},
      {"update_memory", {{"id", mine_}, {"allowed_vendors", {"*", "ChatGPT"}}}, v, "allowed_vendors[1]"},
      {"update_memory", {{"id", mine_}, {"title", "t"}, {"share_scope", "org"}}, v, "share_scope"},
      {"update_memory", {{"id", mine_}, {"title", "t"}, {"request_id", ""}}, v, "request_id"},
      {"update_memory", {{"id", "no-such-id"}, {"title", "t"}}, nf, not_found("no-such-id")},
      {"update_memory", {{"id", trashed_}, {"title", "t"}}, nf, not_found(trashed_)},
      {"update_memory", {{"id", hidden_}, {"title", "t"}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- delete_memory
      {"delete_memory", {}, v, "id"},
      {"delete_memory", {{"id", ""}}, v, "id"},
      {"delete_memory", {{"id", id_129}}, v, "id"},
      {"delete_memory", {{"id", mine_}, {"permanent", "true"}}, v, "permanent"},
      {"delete_memory", {{"id", mine_}, {"permanent", 1}}, v, "permanent"},
      {"delete_memory", {{"id", mine_}, {"request_id", request_id_129}}, v, "request_id"},
      {"delete_memory", {{"id", mine_}, {"force", true}}, v, "force"},
      {"delete_memory", {{"id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"delete_memory", {{"id", "no-such-id"}, {"permanent", true}}, nf, not_found("no-such-id")},
      {"delete_memory", {{"id", trashed_}}, nf, not_found(trashed_)},  // already in the trash
      {"delete_memory", {{"id", hidden_}}, nf, not_found(hidden_), Who::kAgent},
      {"delete_memory", {{"id", hidden_}, {"permanent", true}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- restore_memory
      {"restore_memory", {}, v, "id"},
      {"restore_memory", {{"id", true}}, v, "id"},
      {"restore_memory", {{"id", trashed_}, {"permanent", true}}, v, "permanent"},
      {"restore_memory", {{"id", "no-such-id"}}, nf, "memory 'no-such-id' not found in the trash"},
      {"restore_memory", {{"id", mine_}}, nf, "memory '" + mine_ + "' not found in the trash"},
      {"restore_memory", {{"id", hidden_trashed_}}, nf, not_found(hidden_trashed_), Who::kAgent},

      // ---------------------------------------------------------------- share_memory
      {"share_memory", {{"scope", "org"}}, v, "memory_id"},
      {"share_memory", {{"memory_id", mine_}, {"scope", "world"}}, v, "scope"},
      {"share_memory", {{"memory_id", mine_}, {"scope", "ORG"}}, v, "scope"},
      {"share_memory", {{"memory_id", mine_}}, v, "scope"},  // default org; alice has none
      {"share_memory", {{"memory_id", mine_}, {"scope", "team"}}, v, "scope"},
      {"share_memory", {{"id", mine_}}, v, "memory_id"},  // the argument is memory_id
      {"share_memory", {{"memory_id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"share_memory", {{"memory_id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- unshare_memory
      {"unshare_memory", {}, v, "memory_id"},
      {"unshare_memory", {{"memory_id", mine_}, {"scope", "everyone"}}, v, "scope"},
      {"unshare_memory", {{"memory_id", mine_}}, v, "memory_id"},  // not shared
      {"unshare_memory", {{"memory_id", mine_}, {"note", "x"}}, v, "note"},
      {"unshare_memory", {{"memory_id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"unshare_memory", {{"memory_id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- get_memory_by_id
      {"get_memory_by_id", {}, v, "id"},
      {"get_memory_by_id", {{"id", ""}}, v, "id"},
      {"get_memory_by_id", {{"id", id_129}}, v, "id"},
      {"get_memory_by_id", {{"id", json::array{mine_}}}, v, "id"},
      {"get_memory_by_id", {{"id", mine_}, {"fields", "all"}}, v, "fields"},
      {"get_memory_by_id", {{"id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"get_memory_by_id", {{"id", trashed_}}, nf, not_found(trashed_)},
      {"get_memory_by_id", {{"id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- get_topic_cluster
      {"get_topic_cluster", {}, v, "tag"},
      {"get_topic_cluster", {{"tag", ""}}, v, "tag"},
      {"get_topic_cluster", {{"tag", std::string(65, 't')}}, v, "tag"},
      {"get_topic_cluster", {{"tag", json::array{"a"}}}, v, "tag"},
      {"get_topic_cluster", {{"tag", "a"}, {"limit", 0}}, v, "limit"},
      {"get_topic_cluster", {{"tag", "a"}, {"limit", 51}}, v, "limit"},
      {"get_topic_cluster", {{"tag", "a"}, {"scope", "everything"}}, v, "scope"},
      {"get_topic_cluster", {{"tag", "no-such-tag"}}, nf, "no memory you can see has the tag 'no-such-tag'"},

      // ---------------------------------------------------------------- get_graph_around
      {"get_graph_around", {}, v, "memory_id"},
      {"get_graph_around", {{"memory_id", ""}}, v, "memory_id"},
      {"get_graph_around", {{"memory_id", mine_}, {"min_shared_tags", 0}}, v, "min_shared_tags"},
      {"get_graph_around", {{"memory_id", mine_}, {"min_shared_tags", 11}}, v, "min_shared_tags"},
      {"get_graph_around", {{"memory_id", mine_}, {"top_tag_similar", 21}}, v, "top_tag_similar"},
      {"get_graph_around", {{"memory_id", mine_}, {"depth", 2}}, v, "depth"},
      {"get_graph_around", {{"memory_id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"get_graph_around", {{"memory_id", trashed_}}, nf, not_found(trashed_)},
      {"get_graph_around", {{"memory_id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- get_memory_versions
      {"get_memory_versions", {}, v, "id"},
      {"get_memory_versions", {{"id", mine_}, {"limit", 5}}, v, "limit"},
      {"get_memory_versions", {{"id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"get_memory_versions", {{"id", hidden_}}, nf, not_found(hidden_), Who::kAgent},
      {"get_memory_versions", {{"id", hidden_trashed_}}, nf, not_found(hidden_trashed_), Who::kAgent},

      // ---------------------------------------------------------------- read_memories
      {"read_memories", {{"limit", 0}}, v, "limit"},
      {"read_memories", {{"limit", 51}}, v, "limit"},
      {"read_memories", {{"limit", -1}}, v, "limit"},
      {"read_memories", {{"limit", 2.5}}, v, "limit"},
      {"read_memories", {{"limit", "10"}}, v, "limit"},
      {"read_memories", {{"scope", "everything"}}, v, "scope"},
      {"read_memories", {{"scope", nullptr}}, v, "scope"},
      {"read_memories", {{"cursor", browse_cursor_}}, v, "cursor"},  // not a paged list

      // ---------------------------------------------------------------- get_latest_memory
      {"get_latest_memory", {{"tag", ""}}, v, "tag"},
      {"get_latest_memory", {{"tag", tag_65}}, v, "tag"},
      {"get_latest_memory", {{"tag", {"ops"}}}, v, "tag"},
      {"get_latest_memory", {{"tags", {"ops"}}}, v, "tags"},

      // ---------------------------------------------------------------- browse_memories
      {"browse_memories", {{"limit", 0}}, v, "limit"},
      {"browse_memories", {{"limit", 201}}, v, "limit"},
      {"browse_memories", {{"scope", "mine"}}, v, "scope"},
      {"browse_memories", {{"cursor", ""}}, v, "cursor"},
      {"browse_memories", {{"cursor", "not-a-cursor"}}, v, "cursor"},
      {"browse_memories", {{"cursor", "7b7d"}}, v, "cursor"},  // hex of "{}": decodes, but is no cursor
      {"browse_memories", {{"cursor", search_cursor_}}, v, "cursor"},

      // ---------------------------------------------------------------- get_memories_by_tag
      {"get_memories_by_tag", {}, v, "tags"},
      {"get_memories_by_tag", {{"tags", json::array{}}}, v, "tags"},
      {"get_memories_by_tag", {{"tags", "ops"}}, v, "tags"},
      {"get_memories_by_tag", {{"tags", tags_51}}, v, "tags"},
      {"get_memories_by_tag", {{"tags", {tag_65}}}, v, "tags[0]"},
      {"get_memories_by_tag", {{"tags", {"   "}}}, v, "tags[0]"},
      {"get_memories_by_tag", {{"tags", {"ops"}}, {"limit", 51}}, v, "limit"},
      {"get_memories_by_tag", {{"tags", {"ops"}}, {"limit", 0}}, v, "limit"},
      {"get_memories_by_tag", {{"tags", {"ops"}}, {"scope", "world"}}, v, "scope"},
      {"get_memories_by_tag", {{"tags", {"ops"}}, {"cursor", search_cursor_}}, v, "cursor"},

      // ---------------------------------------------------------------- read_thread
      {"read_thread", {}, v, "memory_id"},
      {"read_thread", {{"id", mine_}}, v, "memory_id"},
      {"read_thread", {{"memory_id", 3}}, v, "memory_id"},
      {"read_thread", {{"memory_id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"read_thread", {{"memory_id", trashed_}}, nf, not_found(trashed_)},
      {"read_thread", {{"memory_id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- read_org_memories / read_team_memories
      {"read_org_memories", {{"limit", 0}}, v, "limit"},
      {"read_org_memories", {{"limit", 51}}, v, "limit"},
      {"read_org_memories", {{"scope", "org"}}, v, "scope"},  // the pool is in the name
      {"read_org_memories", {}, "failed_precondition", "org"},  // alice belongs to no org
      {"read_team_memories", {{"limit", 51}}, v, "limit"},
      {"read_team_memories", {{"cursor", 5}}, v, "cursor"},
      {"read_team_memories", {}, "failed_precondition", "team"},

      // ---------------------------------------------------------------- get_memory_briefing
      {"get_memory_briefing", {{"format", "html"}}, v, "format"},
      {"get_memory_briefing", {{"format", true}}, v, "format"},
      {"get_memory_briefing", {{"format", "json"}, {"limit", 3}}, v, "limit"},

      // ---------------------------------------------------------------- search_memories
      {"search_memories", {}, v, "term"},
      {"search_memories", {{"term", 5}}, v, "term"},
      {"search_memories", {{"term", term_1001}}, v, "term"},
      {"search_memories", {{"term", "x"}, {"limit", 0}}, v, "limit"},
      {"search_memories", {{"term", "x"}, {"limit", 51}}, v, "limit"},
      {"search_memories", {{"term", "x"}, {"memory_type", "opinion"}}, v, "memory_type"},
      {"search_memories", {{"term", "x"}, {"scope", "public"}}, v, "scope"},
      {"search_memories", {{"term", "x"}, {"tags", tags_51}}, v, "tags"},
      {"search_memories", {{"term", "x"}, {"tags", {tag_65}}}, v, "tags[0]"},
      {"search_memories", {{"term", "x"}, {"created_after", "yesterday!"}}, v, "created_after"},
      {"search_memories", {{"term", "x"}, {"created_before", "2026/05/01"}}, v, "created_before"},
      {"search_memories", {{"term", "x"}, {"created_after", "2026-05-01T14"}}, v, "created_after"},
      {"search_memories", {{"term", "x"}, {"cursor", browse_cursor_}}, v, "cursor"},
      {"search_memories", {{"query", "x"}}, v, "term"},

      // ---------------------------------------------------------------- search (ChatGPT)
      {"search", {}, v, "query"},
      {"search", {{"query", term_1001}}, v, "query"},
      {"search", {{"query", json::object{}}}, v, "query"},
      {"search", {{"query", "x"}, {"limit", 5}}, v, "limit"},

      // ---------------------------------------------------------------- fetch (ChatGPT)
      {"fetch", {}, v, "id"},
      {"fetch", {{"id", ""}}, v, "id"},
      {"fetch", {{"id", mine_}, {"request_id", ""}}, v, "request_id"},
      {"fetch", {{"id", "no-such-id"}}, nf, not_found("no-such-id")},
      {"fetch", {{"id", trashed_}}, nf, not_found(trashed_)},
      {"fetch", {{"id", hidden_}}, nf, not_found(hidden_), Who::kAgent},

      // ---------------------------------------------------------------- get_usage
      {"get_usage", {{"month", "2026-13"}}, v, "month"},
      {"get_usage", {{"month", "2026-1"}}, v, "month"},
      {"get_usage", {{"month", "May 2026"}}, v, "month"},
      {"get_usage", {{"month", 202605}}, v, "month"},
      {"get_usage", {{"user", "bob@example.com"}}, v, "user"},
  };
}

// The names tools/list offers, so a tool added later without rows here fails the test.
std::set<std::string> ListedTools(Client& client) {
  std::set<std::string> names;
  json::object params;
  for (int guard = 0; guard < 20; ++guard) {
    json::object page = client.Request("tools/list", params);
    for (const auto& tool : page.at("result").at("tools").as_array()) names.insert(Str(tool.at("name")));
    const json::value* next = page.at("result").as_object().if_contains("nextCursor");
    if (!next) break;
    params["cursor"] = *next;
  }
  return names;
}

TEST_F(ToolValidationTable, EveryBadArgumentIsAToolErrorNamingTheFieldAndChangesNothing) {
  const std::vector<Case> table = Table();
  EXPECT_GE(table.size(), 60u);

  std::set<std::string> with_rows;
  for (const Case& c : table) with_rows.insert(c.tool);
  const std::set<std::string> listed = ListedTools(*owner_);
  EXPECT_EQ(listed.size(), 23u) << "SPEC §5 names 23 tools";
  EXPECT_EQ(with_rows, listed) << "every tool needs rows in this table, and only tools that exist";

  for (const Case& c : table) ExpectFailsChangingNothing(c);
}

void ToolValidationTable::ExpectFailsChangingNothing(const Case& c) {
  const std::string label = c.tool + " " + json::serialize(c.args).substr(0, 160) +
                            (c.who == Who::kAgent ? " (cursor agent)" : " (owner)");
  SCOPED_TRACE(label);
  const std::string before = StoredState(env_);
  CallResult r = (c.who == Who::kAgent ? agent_ : owner_)->Call(c.tool, c.args);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, c.code) << r.error_message;
  EXPECT_EQ(r.error_message.rfind(c.message_starts, 0), 0u)
      << "message '" << r.error_message << "' should start with '" << c.message_starts << "'";
  // The error is also the one text block, as JSON (what a model reads).
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(json::parse(r.content.at(0).at("text").as_string()), json::value(r.structured));
  EXPECT_EQ(StoredState(env_), before) << "a failed call changed the database";
}

// Dates that have the shape YYYY-MM-DD[THH:MM[:SS]] but name no real time.
TEST_F(ToolValidationTable, ImpossibleDatesAreRefused) {
  const std::string v = "validation_error";
  for (const Case& c : std::vector<Case>{
           {"search_memories", {{"term", "x"}, {"created_before", "2026-99-99"}}, v, "created_before"},
           {"search_memories", {{"term", "x"}, {"created_after", "2026-00-10"}}, v, "created_after"},
           {"search_memories", {{"term", "x"}, {"created_after", "2026-02-31"}}, v, "created_after"},
           {"search_memories", {{"term", "x"}, {"created_after", "2026-05-01T25:61"}}, v, "created_after"},
           {"search_memories", {{"term", "x"}, {"created_after", "2025-02-29"}}, v, "created_after"},
           {"search_memories", {{"term", "x"}, {"created_after", "2026-05-01T10:00:60Z"}}, v, "created_after"},
       }) {
    ExpectFailsChangingNothing(c);
  }
  // A leap day and the last second of a day are real.
  EXPECT_FALSE(owner_->Call("search_memories", {{"term", "x"}, {"created_after", "2024-02-29T23:59:59Z"}}).is_error);
}

// The table's calls made right, as a check that its failures come from the
// argument at fault and not from the setup: the same tools succeed with good arguments.
TEST_F(ToolValidationTable, TheSameCallsSucceedWithGoodArguments) {
  const std::vector<std::pair<std::string, json::object>> good = {
      {"write_child_memory", {{"parent_memory_id", mine_}, {"title", "r"}, {"content", "c"}}},
      {"update_memory", {{"id", mine_}, {"title", "t2"}}},
      {"get_memory_by_id", {{"id", mine_}}},
      {"get_memory_versions", {{"id", mine_}}},
      {"get_memory_versions", {{"id", trashed_}}},
      {"read_memories", {{"limit", 50}, {"scope", "personal"}}},
      {"get_latest_memory", {{"tag", "OPS"}}},
      {"browse_memories", {{"limit", 200}}},
      {"browse_memories", {{"cursor", browse_cursor_}}},
      {"get_memories_by_tag", {{"tags", {"ops"}}, {"limit", 50}}},
      {"read_thread", {{"memory_id", mine_}}},
      {"get_memory_briefing", {{"format", "json"}}},
      {"search_memories", {{"term", "visible"}, {"limit", 50}, {"created_after", "2020-01-01"}}},
      {"search", {{"query", "visible"}}},
      {"fetch", {{"id", mine_}}},
      {"get_usage", {{"month", "2026-05"}}},
      {"restore_memory", {{"id", trashed_}}},
      {"delete_memory", {{"id", mine_}, {"permanent", true}, {"request_id", std::string(128, 'r')}}},
  };
  for (const auto& [tool, args] : good) {
    CallResult r = owner_->Call(tool, args);
    EXPECT_FALSE(r.is_error) << tool << " " << json::serialize(args) << ": " << r.error_message;
  }
  CallResult agent_sees = agent_->Call("get_memory_by_id", {{"id", hidden_}});
  EXPECT_EQ(agent_sees.error_code, "not_found");
  EXPECT_FALSE(owner_->Call("get_memory_by_id", {{"id", hidden_}}).is_error);  // hidden from agents only
}

}  // namespace
}  // namespace rm::testing
