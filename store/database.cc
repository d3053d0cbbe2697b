#include "store/database.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <system_error>

#include "store/migrations.h"
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

Status CreateParentFolder(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Status::IoError("cannot create the folder " + parent.string() + " (" + ec.message() +
                           "); choose a database path in a writable folder");
  }
  return Status::Ok();
}

// Runs a caller's function; an exception it throws becomes an Internal status
// (`kind` is "write" or "read"), so the transaction can still be ended cleanly.
Status RunCallerFunction(const TransactionFn& fn, Connection& conn, const char* kind) {
  try {
    return fn(conn);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("a ") + kind + " function threw: " + e.what());
  } catch (...) {
    return Status::Internal(std::string("a ") + kind + " function threw a non-standard exception");
  }
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
  const TransactionFn* fn;
  std::promise<Status> done;
};

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
  Status opened = db->OpenConnections();
  if (!opened.ok()) return WithContext(db->path_, opened);
  db->writer_thread_ = std::thread([raw = db.get()] { raw->WriterLoop(); });
  return db;
}

Status Database::OpenConnections() {
  Result<std::unique_ptr<Connection>> writer =
      Connection::Open(path_, Connection::Mode::kReadWrite, options_.busy_timeout_ms);
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

  Result<std::vector<std::string>> applied = ApplyMigrations(*writer_);
  if (!applied.ok()) return applied.status();
  migrations_applied_ = std::move(*applied);
  Result<int> version = CurrentSchemaVersion(*writer_);
  if (!version.ok()) return version.status();
  schema_version_ = *version;
  writer_->ResetStatements();

  for (int i = 0; i < options_.reader_connections; ++i) {
    Result<std::unique_ptr<Connection>> reader =
        Connection::Open(path_, Connection::Mode::kReadOnly, options_.busy_timeout_ms);
    if (!reader.ok()) return reader.status();
    idle_readers_.push_back(reader->get());
    readers_.push_back(std::move(*reader));
  }
  return Status::Ok();
}

Database::~Database() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
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
  PendingWrite pending{&fn, {}};
  std::future<Status> result = pending.done.get_future();
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) return Status::Internal("the database is closing; the write was not run");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  return result.get();
}

std::size_t Database::queued_writes() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return queue_.size();
}

void Database::WriterLoop() {
  tls_writing = this;
  std::vector<PendingWrite*> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued write is answered
      std::size_t max_batch = std::max<std::size_t>(1, options_.max_batch);
      while (!queue_.empty() && batch.size() < max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

// Runs one function inside its own savepoint; on failure only its work is undone.
Status Database::RunInSavepoint(const TransactionFn& fn) {
  RM_RETURN_IF_ERROR(writer_->Exec("SAVEPOINT write_fn"));
  Status status = RunCallerFunction(fn, *writer_, "write");
  writer_->ResetStatements();
  if (!writer_->InTransaction()) return status;  // the caller (CommitBatch) handles this
  if (status.ok()) {
    status = writer_->Exec("RELEASE write_fn");
    if (status.ok()) return status;
  }
  writer_->Exec("ROLLBACK TO write_fn");  // undo this function's changes only
  writer_->Exec("RELEASE write_fn");
  return status;
}

void Database::CommitBatch(const std::vector<PendingWrite*>& batch) {
  std::vector<Status> results(batch.size());
  std::size_t first_in_transaction = 0;  // the functions whose work the open transaction holds
  Status begin = writer_->Exec("BEGIN IMMEDIATE");
  for (std::size_t i = 0; i < batch.size() && begin.ok(); ++i) {
    results[i] = RunInSavepoint(*batch[i]->fn);
    if (writer_->InTransaction()) continue;
    // SQLite ended the transaction itself (it rolls back on e.g. a full disk), or
    // the function ran COMMIT/ROLLBACK against the rules. Either way the earlier
    // functions' work is no longer pending: none of them may be told "committed".
    Status lost = Status::IoError(
        "the write transaction was ended early (" +
        (results[i].ok() ? std::string("a write function ended it") : results[i].message()) +
        "); nothing was saved, retry");
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
    writer_->ResetStatements();
    Status commit = writer_->Exec("COMMIT");
    if (!commit.ok()) {
      writer_->Exec("ROLLBACK");
      // A function that failed keeps its own, more specific error; it had
      // nothing to commit either way.
      for (std::size_t j = first_in_transaction; j < batch.size(); ++j) {
        if (results[j].ok()) results[j] = commit;
      }
    } else {
      commits_.fetch_add(1);
    }
  }
  writer_->ResetStatements();
  writes_.fetch_add(batch.size());
  // Only now, after COMMIT returned, is any caller told its write succeeded.
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
}

// ---------------------------------------------------------------- reads

Connection* Database::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mutex_);
  readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return conn;
}

void Database::ReleaseReader(Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    idle_readers_.push_back(conn);
  }
  readers_cv_.notify_one();
}

Status Database::Read(const TransactionFn& fn) {
  if (tls_reading == this) {
    return Status::Internal(
        "Database::Read was called from inside a Read function; do all the reading in the one "
        "function");
  }
  if (readers_.empty()) return Status::Internal("the database was opened without readers");
  Connection* conn = AcquireReader();
  tls_reading = this;
  Status status = conn->Exec("BEGIN");  // deferred: the snapshot starts at the first read
  if (status.ok()) {
    status = RunCallerFunction(fn, *conn, "read");
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
