// The dashboard benchmark (issue 16, Measure): server time of the dashboard's pages for one
// person with many memories — the memories page (GET /), its second page (the "Older
// memories" cursor), search with a common and a rare word (GET /?q=), and a memory's page
// (GET /memories/ID). Each page is the web route's handler called directly (web/exchange.h),
// as the HTTP server's worker calls it: session lookup, the memory service call (one metered
// transaction, usage origin "dashboard") and rendering the HTML; no socket, no TLS.
//
//   dashboard_bench [--dir DIR] [--memories N] [--calls N] [--warmup N]
//
// The store (DIR/dashboard-N.db, one user, N memories from bench/corpus_generator.h inserted
// in one transaction; the FTS index is kept by the schema's triggers) is built once and kept.
// Prints markdown tables: per page p50/p90/p99/max (wall) and CPU p50/p99 (this thread), and
// the pages' parts alone (session lookup, the memory service calls), to show where the time
// goes. Every page view is a metered call (a usage event written), as on the server.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/corpus_generator.h"
#include "store/database.h"
#include "store/memory_repository.h"
#include "store/users.h"
#include "store/web_accounts.h"
#include "tools/memory_service.h"
#include "util/clock.h"
#include "web/dashboard_page.h"
#include "web/web_app.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kEmail = "owner@dashboard-bench.example";

struct Options {
  std::string dir = "bench-data";
  long memories = 10000;
  int calls = 300;
  int warmup = 20;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "dashboard_bench: %s\n", why.c_str());
  std::exit(1);
}

template <typename T>
T Check(rm::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

// The generator's options: every memory is the one user's.
rm::bench::CorpusOptions OneUser() {
  rm::bench::CorpusOptions o;
  o.users = 1;
  o.heavy_share = 1.0;
  return o;
}

// Builds DIR/dashboard-N.db unless it is there; returns the document frequency of each
// vocabulary rank (the generator is deterministic, so a kept store's is regenerated).
std::vector<std::int64_t> BuildStore(const std::string& path, long size) {
  rm::bench::CorpusGenerator generator(OneUser());
  const bool exists = fs::exists(path);
  if (exists) {
    for (long i = 0; i < size; ++i) generator.Next();
    return generator.document_frequency();
  }
  std::fprintf(stderr, "building %ld memories of one person in %s ...\n", size, path.c_str());
  const auto start = Clock::now();
  auto db = Check(rm::store::Database::Open(path), "open");
  rm::Status st = db->Write([&](rm::store::Connection& conn) -> rm::Status {
    rm::Result<rm::store::User> user = rm::store::InsertUser(conn, rm::store::NewUser{kEmail, "admin", "user"});
    if (!user.ok()) return user.status();
    const auto base = std::chrono::system_clock::time_point(std::chrono::seconds(1735689600));  // 2025-01-01
    for (long i = 0; i < size; ++i) {
      rm::store::MemoryRow row = rm::bench::ToMemoryRow(generator.Next(), user->id,
                                                         rm::FormatUtc(base + std::chrono::seconds(i * 60)));
      RM_RETURN_IF_ERROR(rm::store::InsertMemory(conn, row));
    }
    return rm::Status::Ok();
  });
  if (!st.ok()) Die("bulk insert: " + st.ToString());
  std::fprintf(stderr, "built in %.1f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  return generator.document_frequency();
}

// The word whose share of memories is nearest `share`.
std::string WordNear(const std::vector<std::int64_t>& df, long size, double share, double* actual) {
  std::size_t best = 0;
  double best_gap = 2;
  for (std::size_t rank = 0; rank < df.size(); ++rank) {
    const double s = static_cast<double>(df[rank]) / static_cast<double>(size);
    const double gap = s > share ? s - share : share - s;
    if (df[rank] > 0 && gap < best_gap) {
      best_gap = gap;
      best = rank;
    }
  }
  *actual = static_cast<double>(df[best]) / static_cast<double>(size);
  return rm::bench::CorpusGenerator::Word(static_cast<int>(best));
}

void WarmFileCache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
  }
}

std::uintmax_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

struct Stats {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  double cpu_p50 = 0, cpu_p99 = 0;  // this thread's CPU time: the cost without waiting for a core
};

// CPU time of this thread, in ms.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double Percentile(const std::vector<double>& sorted, std::size_t pct) {
  return sorted.empty() ? 0 : sorted[std::min(sorted.size() - 1, sorted.size() * pct / 100)];
}

Stats Summarize(std::vector<double> ms, std::vector<double> cpu) {
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  Stats s;
  if (ms.empty()) return s;
  s.p50 = Percentile(ms, 50);
  s.p90 = Percentile(ms, 90);
  s.p99 = Percentile(ms, 99);
  s.max = ms.back();
  s.cpu_p50 = Percentile(cpu, 50);
  s.cpu_p99 = Percentile(cpu, 99);
  return s;
}

// The route serving `path`: an exact one, else the longest prefix route.
const rm::web::Route* FindRoute(const std::vector<rm::web::Route>& routes, const std::string& path) {
  const rm::web::Route* best = nullptr;
  for (const rm::web::Route& r : routes) {
    if (!r.prefix && r.path == path) return &r;
    if (r.prefix && path.rfind(r.path, 0) == 0 && (!best || r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

// The query of the "Older memories" link: the href after "/?", HTML-unescaped.
std::string NextPageQuery(const std::string& body) {
  const std::size_t rel = body.find("rel=\"next\"");
  if (rel == std::string::npos) return "";
  const std::size_t start = body.rfind("href=\"/?", rel);
  if (start == std::string::npos) return "";
  const std::size_t from = start + 8;
  std::string query = body.substr(from, body.find('"', from) - from);
  for (std::size_t at; (at = query.find("&amp;")) != std::string::npos;) query.replace(at, 5, "&");
  return query;
}

// The memory ids a list page links to.
std::vector<std::string> MemoryIds(const std::string& body) {
  std::vector<std::string> ids;
  const std::string mark = "href=\"/memories/";
  for (std::size_t at = body.find(mark); at != std::string::npos; at = body.find(mark, at + 1)) {
    const std::size_t from = at + mark.size();
    ids.push_back(body.substr(from, body.find('"', from) - from));
  }
  return ids;
}

struct Row {
  std::string name;
  Stats stats;
  std::size_t bytes = 0;
};

void PrintRows(const char* title, const std::vector<Row>& rows, bool with_bytes) {
  std::printf("\n%s\n\n| call | p50 | p90 | p99 | max | CPU p50 | CPU p99 |%s\n|---|---|---|---|---|---|---|%s\n",
              title, with_bytes ? " HTML |" : "", with_bytes ? "---|" : "");
  for (const Row& r : rows) {
    std::printf("| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |", r.name.c_str(), r.stats.p50,
                r.stats.p90, r.stats.p99, r.stats.max, r.stats.cpu_p50, r.stats.cpu_p99);
    if (with_bytes) std::printf(" %.1f KB |", static_cast<double>(r.bytes) / 1024.0);
    std::printf("\n");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--dir") options.dir = value();
    else if (arg == "--memories") options.memories = std::atol(value().c_str());
    else if (arg == "--calls") options.calls = std::atoi(value().c_str());
    else if (arg == "--warmup") options.warmup = std::atoi(value().c_str());
    else Die("unknown argument " + arg + "; usage: dashboard_bench [--dir DIR] [--memories N] [--calls N] [--warmup N]");
  }
  if (options.memories < 100 || options.calls < 1) Die("--memories must be at least 100 and --calls at least 1");
  fs::create_directories(options.dir);
  const std::string path = (fs::path(options.dir) / ("dashboard-" + std::to_string(options.memories) + ".db")).string();
  const std::vector<std::int64_t> df = BuildStore(path, options.memories);

  WarmFileCache(path);
  auto db = Check(rm::store::Database::Open(path), "open");
  auto service = std::make_shared<rm::tools::MemoryService>(*db);
  rm::web::WebOptions web_options;
  web_options.public_url = "http://127.0.0.1:8080";
  rm::web::WebApp app(*db, web_options, service);
  const std::vector<rm::web::Route> routes = app.Routes();

  std::string user_id;
  rm::store::WebSession session;
  rm::Status st = db->Write([&](rm::store::Connection& conn) -> rm::Status {
    auto user = rm::store::FindUserByEmail(conn, kEmail);
    if (!user.ok()) return user.status();
    user_id = user->id;
    auto made = rm::store::CreateWebSession(conn, user_id, std::chrono::hours(1));
    if (!made.ok()) return made.status();
    session = *made;
    return rm::Status::Ok();
  });
  if (!st.ok()) Die("session: " + st.ToString());
  const std::string cookie = "rm_session=" + session.id;

  auto get = [&](const std::string& target_path, const std::string& query) {
    rm::web::Request request;
    request.method = "GET";
    request.path = target_path;
    request.query = query;
    request.cookie = cookie;
    request.peer_address = "127.0.0.1";
    const rm::web::Route* route = FindRoute(routes, target_path);
    if (!route) Die("no route for " + target_path);
    rm::web::Response response = route->handle(request);
    if (response.status != 200) Die("GET " + target_path + "?" + query + " answered " + std::to_string(response.status));
    return response;
  };

  double common_share = 0, rare_share = 0;
  const std::string common = WordNear(df, options.memories, 0.30, &common_share);
  const std::string rare = WordNear(df, options.memories, 5.0 / static_cast<double>(options.memories), &rare_share);
  const rm::web::Response first = get("/", "");
  const std::string second_query = NextPageQuery(first.body);
  if (second_query.find("cursor=") == std::string::npos) Die("the memories page has no \"Older memories\" link");
  const std::vector<std::string> ids = MemoryIds(first.body);
  if (ids.empty()) Die("the memories page links to no memory");
  if (get("/", "q=" + common).body.find("href=\"/memories/") == std::string::npos) Die("the common word found nothing");
  const std::string memory_page = get("/memories/" + ids.front(), "").body;
  if (memory_page.find("<article>") == std::string::npos) Die("a memory's page shows no content");
  if (get("/", "q=" + rare).body.find("href=\"/memories/") == std::string::npos) Die("the rare word found nothing");

  std::printf("dashboard_bench: %ld memories of one person, %d calls per row after %d warm-up calls\n",
              options.memories, options.calls, options.warmup);
  std::printf("store: %s, %.1f MB (+ %.1f MB WAL)\n", path.c_str(), static_cast<double>(FileSize(path)) / 1048576.0,
              static_cast<double>(FileSize(path + "-wal")) / 1048576.0);
  std::printf("common word \"%s\" in %.1f%% of memories, rare word \"%s\" in %.2f%% (%.0f memories)\n", common.c_str(),
              common_share * 100, rare.c_str(), rare_share * 100, rare_share * static_cast<double>(options.memories));

  // Calls `once` warm-up + calls times; the times of all but the warm-up.
  auto measure = [&](const std::function<std::size_t(int)>& once, std::size_t* bytes) {
    std::vector<double> ms, cpu;
    for (int i = 0; i < options.warmup + options.calls; ++i) {
      const double c0 = ThreadCpuMs();
      const auto t0 = Clock::now();
      const std::size_t n = once(i);
      const auto t1 = Clock::now();
      const double c1 = ThreadCpuMs();
      if (i >= options.warmup) {
        ms.push_back(Ms(t0, t1));
        cpu.push_back(c1 - c0);
      }
      if (bytes) *bytes = n;
    }
    return Summarize(std::move(ms), std::move(cpu));
  };

  struct Page {
    std::string name;
    std::string path;
    std::string query;
  };
  const std::vector<Page> pages = {{"memories page `GET /`", "/", ""},
                                   {"memories page 2 `GET /?cursor=…`", "/", second_query},
                                   {"search, common word `GET /?q=" + common + "`", "/", "q=" + common},
                                   {"search, rare word `GET /?q=" + rare + "`", "/", "q=" + rare}};
  std::vector<Row> page_rows;
  for (const Page& page : pages) {
    Row row{page.name, {}, 0};
    row.stats = measure([&](int) { return get(page.path, page.query).body.size(); }, &row.bytes);
    page_rows.push_back(row);
  }
  {
    Row row{"a memory's page `GET /memories/ID`", {}, 0};
    row.stats = measure([&](int i) { return get("/memories/" + ids[static_cast<std::size_t>(i) % ids.size()], "").body.size(); },
                        &row.bytes);
    page_rows.push_back(row);
  }
  PrintRows("### Dashboard pages (route handler: session, service call, HTML)", page_rows, true);

  // Where the time goes: the parts of a page alone.
  rm::web::Request signed_in;
  signed_in.method = "GET";
  signed_in.path = "/";
  signed_in.cookie = cookie;
  const auto viewer = rm::web::FindViewer(*db, signed_in);
  if (!viewer) Die("no viewer for the session");
  const rm::tools::Caller caller = rm::web::DashboardCaller(*viewer);
  auto need = [](rm::tools::MemoryService::Reply reply) {
    if (!reply.ok()) Die("service: " + reply.status().ToString());
    return std::size_t{0};
  };
  std::string second_cursor = second_query.substr(second_query.find("cursor=") + 7);
  // The cursor as the page decodes it (percent-decoded).
  {
    std::string decoded;
    for (std::size_t i = 0; i < second_cursor.size(); ++i) {
      if (second_cursor[i] == '%' && i + 2 < second_cursor.size()) {
        decoded += static_cast<char>(std::strtol(second_cursor.substr(i + 1, 2).c_str(), nullptr, 16));
        i += 2;
      } else {
        decoded += second_cursor[i] == '+' ? ' ' : second_cursor[i];
      }
    }
    second_cursor = decoded;
  }
  auto search = [&](const std::string& term) {
    rm::tools::SearchArgs args;
    args.term = term;
    args.limit = 20;
    return service->SearchMemories(caller, std::nullopt, args);
  };
  std::vector<Row> parts = {
      {"session + user lookup (`FindViewer`)",
       measure(
           [&](int) {
             if (!rm::web::FindViewer(*db, signed_in)) Die("no viewer");
             return std::size_t{0};
           },
           nullptr),
       0},
      {"`BrowseMemories` (20, first page)",
       measure([&](int) { return need(service->BrowseMemories(caller, std::nullopt, {20, std::nullopt, rm::store::Scope::kAll})); },
               nullptr),
       0},
      {"`BrowseMemories` (20, second page)",
       measure([&](int) { return need(service->BrowseMemories(caller, std::nullopt, {20, second_cursor, rm::store::Scope::kAll})); },
               nullptr),
       0},
      {"`SearchMemories` (20), common word", measure([&](int) { return need(search(common)); }, nullptr), 0},
      {"`SearchMemories` (20), rare word", measure([&](int) { return need(search(rare)); }, nullptr), 0},
      {"`GetMemoryVersions` + `ReadThread` (a memory's page)",
       measure(
           [&](int i) {
             const std::string& id = ids[static_cast<std::size_t>(i) % ids.size()];
             need(service->GetMemoryVersions(caller, std::nullopt, id));
             return need(service->ReadThread(caller, std::nullopt, id));
           },
           nullptr),
       0},
  };
  PrintRows("### The same pages' parts alone (memory service calls as the pages make them)", parts, false);
  std::printf("\nstore after the run: %.1f MB (+ %.1f MB WAL)\n", static_cast<double>(FileSize(path)) / 1048576.0,
              static_cast<double>(FileSize(path + "-wal")) / 1048576.0);
  return 0;
}
