#include "store/database.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "store/checkpointer.h"
#include "store/file_permissions.h"
#include "store/migrations.h"
#include "store/write_behind.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

// Which Database this thread is inside, to refuse re-entrant calls that would
// deadlock (Write from the writer thread) or exhaust the pool (nested Read).
thread_local const Database* tls_writing = nullptr;
thread_local const Database* tls_reading = nullptr;

Status WithContext(const std::string& path, const Status& status) {
  std::string message = "cannot open database " + path + ": " + status.message();
  switch (status.code()) {
    case Status::Code::kFailedPrecondition: return Status::FailedPrecondition(message);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(message);
    case Status::Code::kIoError: return Status::IoError(message);
    default: return Status::Internal(message);
  }
}

// The folders and the file are created for their owner only, whatever the umask: the
// database holds every memory and key hash (store/file_permissions.h).
Status CreateParentFolder(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  return CreatePrivateFolders(parent.string());
}

// Runs a pragma that answers with one row and returns that row's text.
Result<std::string> PragmaText(Connection& conn, std::string_view pragma) {
  Statement& s = conn.Prepare(pragma);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::string value = *row ? s.Text(0) : "";
  s.Reset();
  return value;
}

}  // namespace

struct Database::PendingWrite {
  const TransactionFn* fn = nullptr;
  const std::function<void()>* between_writes = nullptr;  // instead of fn: runs alone, no transaction
  Status status;
  bool done = false;              // committed (or failed) by a leader
  std::condition_variable wake;   // done, or this write is to lead now
};

Database::Database(DatabaseOptions options) : options_(options) {}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 DatabaseOptions options) {
  if (path.empty()) return Status::InvalidArgument("the database path is empty");
  std::unique_ptr<Database> db(new Database(options));
  if (path == ":memory:") {
    db->path_ = (std::filesystem::temp_directory_path() /
                 ("reflect-memory-" + RandomHex(8) + ".db")).string();
    db->delete_on_close_ = true;
  } else {
    db->path_ = path;
    RM_RETURN_IF_ERROR(CreateParentFolder(path));
  }
  CreatePrivateDatabaseFile(db->path_);
  Status opened = db->OpenConnections();
  if (!opened.ok()) return WithContext(db->path_, opened);
  Database* self = db.get();
  db->write_behind_ = std::make_unique<WriteBehind>(
      [self](const std::vector<TransactionFn>& fns) { return self->WriteEach(fns); },
      db->options_.write_behind_delay, db->options_.write_behind_limit);
  return db;
}

Status Database::OpenConnections() {
  Result<std::unique_ptr<SqliteConnection>> writer =
      SqliteConnection::Open(path_, SqliteConnection::Mode::kReadWrite, options_.busy_timeout_ms);
  if (!writer.ok()) return writer.status();
  writer_ = std::move(*writer);

  // WAL: readers never block the writer nor it them. It is a property of the
  // file, so set once here; a file that refuses it (e.g. on a network share) is refused.
  Result<std::string> mode = PragmaText(*writer_, "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return Status::IoError("the database could not use WAL journaling (got '" + *mode +
                           "'); put it on a local file system");
  }
  // NORMAL in WAL mode: a commit survives the process being killed; only an OS
  // crash or power loss can lose the last commits (never corrupt the file).
  RM_RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = NORMAL"));
  // The WAL file is cut back to this size when it restarts, so one burst does not
  // leave it large for good.
  RM_RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_size_limit = 67108864"));

  Result<std::vector<std::string>> applied = ApplyMigrations(*writer_);
  if (!applied.ok()) return applied.status();
  migrations_applied_ = std::move(*applied);
  Result<int> version = CurrentSchemaVersion(*writer_);
  if (!version.ok()) return version.status();
  schema_version_ = *version;
  writer_->ResetStatements();

  Result<std::unique_ptr<Checkpointer>> checkpointer =
      Checkpointer::Start(path_, options_.busy_timeout_ms, options_.checkpoint_wal_pages,
                          [this](const std::function<void()>& fn) { BetweenWrites(fn); });
  if (!checkpointer.ok()) return checkpointer.status();
  checkpointer_ = std::move(*checkpointer);
  writer_->OnWalCommit([raw = checkpointer_.get()](int pages) { raw->Committed(pages); });

  for (int i = 0; i < options_.reader_connections; ++i) {
    Result<std::unique_ptr<SqliteConnection>> reader =
        SqliteConnection::Open(path_, SqliteConnection::Mode::kReadOnly, options_.busy_timeout_ms);
    if (!reader.ok()) return reader.status();
    idle_readers_.push_back(reader->get());
    readers_.push_back(std::move(*reader));
  }
  return Status::Ok();
}

Database::~Database() {
  write_behind_.reset();  // commits what it still holds, through Write()
  checkpointer_.reset();
  readers_.clear();
  writer_.reset();
  if (delete_on_close_) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ignored);
  }
}

// ---------------------------------------------------------------- writes

Status Database::Write(const TransactionFn& fn) {
  if (tls_writing == this) {
    return Status::Internal(
        "Database::Write was called from inside a Write function; do all the work in the one "
        "function (nested writes would wait for themselves)");
  }
  PendingWrite pending;
  pending.fn = &fn;
  Submit({&pending});
  return std::move(pending.status);
}

std::vector<Status> Database::WriteEach(const std::vector<TransactionFn>& fns) {
  if (tls_writing == this) {
    return std::vector<Status>(fns.size(), Status::Internal("Database::WriteEach was called from inside a Write function"));
  }
  std::vector<PendingWrite> pendings(fns.size());
  std::vector<PendingWrite*> queued;
  for (std::size_t i = 0; i < fns.size(); ++i) {
    pendings[i].fn = &fns[i];
    queued.push_back(&pendings[i]);
  }
  Submit(queued);
  std::vector<Status> results;
  for (PendingWrite& p : pendings) results.push_back(std::move(p.status));
  return results;
}

void Database::BetweenWrites(const std::function<void()>& fn) {
  PendingWrite pending;
  pending.between_writes = &fn;
  Submit({&pending});
}

void Database::Submit(const std::vector<PendingWrite*>& pendings) {
  std::unique_lock<std::mutex> lock(queue_mutex_);
  for (PendingWrite* p : pendings) queue_.push_back(p);
  for (PendingWrite* p : pendings) WaitOrLead(lock, *p);
}

void Database::WaitOrLead(std::unique_lock<std::mutex>& lock, PendingWrite& pending) {
  // Wait until a leader has run this write, or until it is this write's turn to lead.
  pending.wake.wait(lock, [&] { return pending.done || (!leading_ && queue_.front() == &pending); });
  if (pending.done) return;

  // Lead: take this write and what queued behind it (up to a BetweenWrites, which
  // runs alone), and commit them together.
  leading_ = true;
  std::vector<PendingWrite*> batch;
  const std::size_t max_batch = std::max<std::size_t>(1, options_.max_batch);
  if (pending.between_writes) {
    batch.push_back(&pending);
    queue_.pop_front();
  }
  while (!pending.between_writes && !queue_.empty() && !queue_.front()->between_writes &&
         batch.size() < max_batch) {
    batch.push_back(queue_.front());
    queue_.pop_front();
  }
  lock.unlock();
  tls_writing = this;
  if (pending.between_writes) {
    (*pending.between_writes)();
  } else {
    CommitBatch(batch);
  }
  tls_writing = nullptr;
  lock.lock();
  for (PendingWrite* other : batch) {
    other->done = true;
    if (other != &pending) other->wake.notify_one();
  }
  leading_ = false;
  if (!queue_.empty()) queue_.front()->wake.notify_one();  // the next leader
}

void Database::WriteLater(TransactionFn fn) { write_behind_->Add(std::move(fn)); }

void Database::FlushWritesLater() { write_behind_->Flush(); }

std::size_t Database::queued_writes() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return queue_.size();
}

std::uint64_t Database::checkpoints() const { return checkpointer_->checkpoints(); }

namespace {

// What a caller whose transaction SQLite (or a function, against the rules) ended
// before COMMIT is told: none of the work it held was saved.
Status TransactionEndedEarly(const Status& cause) {
  return Status::IoError("the write transaction was ended early (" +
                         (cause.ok() ? std::string("a write function ended it") : cause.message()) +
                         "); nothing was saved, retry");
}

}  // namespace

Status Database::CommitOrRollBack() {
  writer_->ResetStatements();
  Status commit = writer_->Exec("COMMIT");
  if (!commit.ok()) {
    writer_->Exec("ROLLBACK");
    return commit;
  }
  commits_.fetch_add(1);
  return commit;
}

// A batch of one (a lone writer: the usual case over stdio) needs no savepoint: if
// the function fails, the whole transaction is rolled back. That spares two statements
// and the copy of every page it changes into SQLite's statement journal.
Status Database::CommitAlone(const TransactionFn& fn) {
  Status status = writer_->Exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  status = RunCallerFunction(fn, *writer_, "write");
  if (!writer_->InTransaction()) {
    // SQLite rolled back on its own (e.g. a full disk), or the function ended it.
    writer_->ResetStatements();
    return status.ok() ? TransactionEndedEarly(status) : status;
  }
  if (!status.ok()) {
    writer_->ResetStatements();
    writer_->Exec("ROLLBACK");
    return status;
  }
  return CommitOrRollBack();
}

void Database::CommitBatch(const std::vector<PendingWrite*>& batch) {
  if (batch.size() == 1) {
    batch[0]->status = CommitAlone(*batch[0]->fn);
    writes_.fetch_add(1);
    return;
  }
  std::vector<Status> results(batch.size());
  std::size_t first_in_transaction = 0;  // the functions whose work the open transaction holds
  Status begin = writer_->Exec("BEGIN IMMEDIATE");
  for (std::size_t i = 0; i < batch.size() && begin.ok(); ++i) {
    results[i] = RunInSavepoint(*writer_, *batch[i]->fn, "write");
    if (writer_->InTransaction()) continue;
    // SQLite ended the transaction itself (it rolls back on e.g. a full disk), or
    // the function ran COMMIT/ROLLBACK against the rules. Either way the earlier
    // functions' work is no longer pending: none of them may be told "committed".
    const Status lost = TransactionEndedEarly(results[i]);
    for (std::size_t j = first_in_transaction; j <= i; ++j) {
      if (results[j].ok()) results[j] = lost;
    }
    first_in_transaction = i + 1;
    writer_->ResetStatements();
    begin = writer_->Exec("BEGIN IMMEDIATE");
  }
  if (!begin.ok()) {
    for (std::size_t j = first_in_transaction; j < batch.size(); ++j) results[j] = begin;
  } else {
    Status commit = CommitOrRollBack();
    if (!commit.ok()) {
      // A function that failed keeps its own, more specific error; it had
      // nothing to commit either way.
      for (std::size_t j = first_in_transaction; j < batch.size(); ++j) {
        if (results[j].ok()) results[j] = commit;
      }
    }
  }
  writer_->ResetStatements();
  writes_.fetch_add(batch.size());
  // Only now, after COMMIT returned, is any caller told its write succeeded.
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->status = std::move(results[i]);
}

// ---------------------------------------------------------------- reads

SqliteConnection* Database::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mutex_);
  readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
  SqliteConnection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return conn;
}

void Database::ReleaseReader(SqliteConnection* conn) {
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    idle_readers_.push_back(conn);
  }
  readers_cv_.notify_one();
}

Status Database::Read(const TransactionFn& fn) { return Read(fn, nullptr); }

Status Database::Read(const TransactionFn& fn, const std::function<bool()>& should_stop) {
  const auto stopped = [&] { return should_stop && should_stop(); };
  if (stopped()) return Status::Cancelled("the read was not started: its caller gave up");
  if (tls_reading == this) {
    return Status::Internal(
        "Database::Read was called from inside a Read function; do all the reading in the one "
        "function");
  }
  if (readers_.empty()) return Status::Internal("the database was opened without readers");
  SqliteConnection* conn = AcquireReader();
  tls_reading = this;
  Status status = conn->Exec("BEGIN");  // deferred: the snapshot starts at the first read
  if (status.ok()) {
    if (should_stop) conn->StopWhen(should_stop);
    status = RunCallerFunction(fn, *conn, "read");
    // Before COMMIT, which must not be interrupted, and before the next reader's turn.
    if (should_stop) conn->StopWhen(nullptr);
    // A function may turn an interrupted statement into its own error; the reason is
    // still that the caller gave up.
    if (!status.ok() && stopped()) status = Status::Cancelled("the read was stopped: its caller gave up");
    conn->ResetStatements();
    if (conn->InTransaction()) {
      Status end = conn->Exec("COMMIT");  // ends the read transaction; nothing to write
      if (status.ok()) status = end;
      if (conn->InTransaction()) conn->Exec("ROLLBACK");
    }
  }
  tls_reading = nullptr;
  ReleaseReader(conn);
  return status;
}

}  // namespace rm::store
