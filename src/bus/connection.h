// One blocking connection to Redis: RAII over a hiredis redisContext (freed with redisFree),
// typed replies, pipelining and errors as values. Not thread-safe: one owning thread (the P1 IO
// thread, the P2 main thread...).
//
// Failure model (hiredis README: a context that reported an error cannot be reused):
// after any I/O error, EOF, timeout or protocol violation the context is dropped. The next call
// reconnects, but not before the backoff delay has passed (exponential, jittered, measured on
// the injected Clock); until then calls fail at once with kUnavailable saying when the next
// attempt is due. Connection-level failures are kUnavailable (timeouts included, the message
// says "timeout"); a peer that breaks the protocol or sends a reply larger than the configured
// limits gives kProtocol. Error replies from the server (-ERR, -NOPERM, -WRONGTYPE) keep the
// connection and become kInvalidInput, or kUnavailable for transient ones (LOADING, BUSY,
// MASTERDOWN, TRYAGAIN); their message names the command and its key, never other arguments.
//
// The password is read from an environment variable or a file at each connect and is never
// logged or put in an error message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/backoff.h"
#include "bus/latency_histogram.h"
#include "bus/reply.h"
#include "core/clock.h"
#include "core/piece_source.h"
#include "core/result.h"

struct redisContext;  // hiredis
struct iovec;         // <sys/uio.h>

namespace harrier::bus {

struct ReaderGuard;  // reply limits seen by the hiredis reader (connection.cc)

// `tcp://HOST:PORT` or `unix:/absolute/path`.
struct Endpoint {
  enum class Kind : std::uint8_t { kTcp, kUnix };
  Kind kind = Kind::kTcp;
  std::string host;  // kTcp
  int port = 0;      // kTcp
  std::string path;  // kUnix
};
// Returns kInvalidInput naming the url and what is wrong with it.
Result<Endpoint> parse_url(std::string_view url);

struct ConnectionConfig {
  std::string url = "tcp://127.0.0.1:6379";
  // ACL user for `AUTH user password`; empty means `AUTH password` (the default user) when a
  // password is configured, and no AUTH at all otherwise.
  std::string user;
  std::string password_env;   // name of an environment variable holding the password
  std::string password_file;  // path of a file whose first line is the password
  DurationNs connect_timeout_ns = 1 * kNsPerSec;
  DurationNs command_timeout_ns = 1 * kNsPerSec;
  BackoffPolicy backoff;
  // Limits on one reply, checked while reading: bytes buffered for one incomplete reply and
  // elements of one array. Above them the reply is refused with kProtocol.
  std::size_t max_reply_bytes = 512u << 20;
  std::size_t max_array_elements = 1u << 20;
  std::string client_name;  // CLIENT SETNAME after connecting when not empty
};

// Reads the password from password_env or password_file (at most one may be set). Returns ""
// when neither is set; kInvalidInput naming the variable or the file when it cannot be read.
// The password itself never appears in an error.
Result<std::string> resolve_password(const ConnectionConfig& cfg);

// A list of commands sent together: one write, then one reply per command in order. Arguments
// are borrowed: the bytes must stay alive until the batch has been run. Reusable via clear().
class CommandBatch {
 public:
  void add(std::initializer_list<std::string_view> args);
  void add(std::span<const std::string_view> args);
  // Start a command whose arguments follow through arg(); ends at the next begin()/add().
  void begin();
  void arg(std::string_view a);
  // One argument made of the pieces `source` lists, sent one after another (P1's bar window:
  // its columns go from where the window keeps them to the socket, nothing copied). The bytes
  // are borrowed: keep the source alive until the batch has been run.
  void arg_pieces(const PieceSource& source);
  void clear();

  std::size_t size() const { return starts_.size(); }
  std::size_t argc(std::size_t i) const;
  // Argument k of command i; an arg_pieces() argument reads "<pieces>" here (its length is
  // the whole argument's): its bytes are pieces(i, k).
  const char* const* argv(std::size_t i) const { return ptrs_.data() + starts_[i]; }
  const std::size_t* argvlen(std::size_t i) const { return lens_.data() + starts_[i]; }
  // The pieces of argument k of command i when arg_pieces() gave it, else empty.
  std::span<const std::string_view> pieces(std::size_t i, std::size_t k) const;
  // "SET bars:SPY:1s": the command name and its first argument, for error messages.
  std::string describe(std::size_t i) const;

 private:
  std::vector<const char*> ptrs_;
  std::vector<std::size_t> lens_;
  std::vector<std::size_t> starts_;
  // Per argument: 0, or 1 + the index in gathers_ of its pieces (first, count in pieces_).
  std::vector<std::uint32_t> gather_;
  std::vector<std::pair<std::size_t, std::size_t>> gathers_;
  std::vector<std::string_view> pieces_;
};

// Appends command `i` of `batch` in the Redis protocol (RESP arrays of bulk strings), the bytes
// redisFormatCommandArgv would produce.
void append_resp(std::string& out, const CommandBatch& batch, std::size_t i);

// The same bytes for a whole batch, as pieces to send in order: the framing and the arguments
// shorter than `borrow_min` are copied into `wire`; longer arguments are pieces pointing at the
// batch's own bytes (not copied). A piece with `data` null is `wire[offset, offset+len)`.
// Connection::run sends a pipeline this way, so a seal's bar window (~45 KB, twice per seal)
// goes from the caller's buffer straight to the socket.
struct WirePiece {
  const char* data = nullptr;
  std::size_t offset = 0;
  std::size_t len = 0;
};
inline constexpr std::size_t kBorrowArgBytes = 2048;
inline constexpr std::size_t kBorrowPieceBytes = 256;  // of an arg_pieces() argument
void frame_pipeline(const CommandBatch& batch, std::size_t borrow_min, std::string& wire,
                    std::vector<WirePiece>& pieces);

// "SET bars:SPY:1s" for messages: the command and its key (argument 1), truncated and with
// non-printable bytes escaped; AUTH never shows its arguments.
std::string describe_command(std::span<const std::string_view> args);

// Turns an error reply into an Error (see the header comment for codes); ok for other types.
Status check_reply(const ReplyView& r, std::string_view what);
// The same for command `i` of `batch`, described (which allocates) only when it is an error.
Status check_reply(const ReplyView& r, const CommandBatch& batch, std::size_t i);

struct ConnectionStats {
  std::uint64_t connects = 0;          // successful (re)connects
  std::uint64_t connect_failures = 0;  // failed attempts
  std::uint64_t disconnects = 0;       // contexts dropped after an error
  std::uint64_t commands = 0;          // commands sent
};

class Connection {
 public:
  // Does not connect; the first call does. `clock` must outlive the connection.
  explicit Connection(ConnectionConfig cfg, const Clock& clock = SystemClock::instance());
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects now if not connected and the backoff allows; ok when already connected.
  Status connect();
  bool connected() const { return ctx_ != nullptr; }
  // Drops the context (as after an error) without scheduling a backoff delay.
  void disconnect();
  // ns until the next reconnect attempt is allowed (0 when allowed now or connected).
  DurationNs retry_in_ns() const;

  // One command. An error reply becomes an Error (check_reply). `timeout_ns` > 0 overrides the
  // command timeout for this call (blocking commands such as XREADGROUP BLOCK).
  Result<Reply> command(std::span<const std::string_view> args, DurationNs timeout_ns = 0);
  Result<Reply> command(std::initializer_list<std::string_view> args, DurationNs timeout_ns = 0) {
    return command(std::span<const std::string_view>(args.begin(), args.size()), timeout_ns);
  }

  // Pipelining: sends every command of `batch` in one write and reads one reply per command.
  // Error replies are returned as replies (inspect them with check_reply); only a connection
  // failure fails the whole call. `replies` is cleared first; on a connection failure it holds
  // the replies read before the failure. `timeout_ns` > 0 overrides the command timeout for
  // every reply of this call (a batch that ends with a blocking command).
  Status run(const CommandBatch& batch, std::vector<Reply>& replies, DurationNs timeout_ns = 0);

  // PING round trip in ns, also recorded in ping_histogram().
  Result<DurationNs> ping();
  const LatencyHistogram& ping_histogram() const { return ping_hist_; }
  const ConnectionStats& stats() const { return stats_; }
  const ConnectionConfig& config() const { return cfg_; }
  // Backoff state, for tests and telemetry.
  int consecutive_failures() const { return backoff_.failures(); }

 private:
  struct CtxFree {
    void operator()(redisContext* c) const noexcept;
  };

  Status ensure_connected();
  Status open();
  // What a failure message names: a command's argv, or command i of a batch. Built into text
  // only when something failed, so the hot path formats nothing.
  struct What {
    std::span<const std::string_view> args;
    const CommandBatch* batch = nullptr;
    std::size_t index = 0;
    std::string text() const;
  };
  Status send_pending(const What& what);
  Status send_pieces(const What& what);  // wire_ and pieces_, with sendmsg
  Result<Reply> read_reply(const What& what);
  Error fail(const What& what);  // drops the context and schedules the next attempt
  // Makes `ns` the socket's timeout; a no-op when it is already (a loop that blocks on every
  // read would otherwise pay two setsockopt calls to set it and two to restore it).
  Status set_timeout(DurationNs ns);

  ConnectionConfig cfg_;
  const Clock& clock_;
  Backoff backoff_;
  std::unique_ptr<ReaderGuard> guard_;
  std::unique_ptr<redisContext, CtxFree> ctx_;
  std::int64_t next_attempt_mono_ns_ = 0;
  DurationNs timeout_set_ns_ = -1;  // the socket's timeout; -1: none set on this context yet
  LatencyHistogram ping_hist_;
  ConnectionStats stats_;
  std::string wire_;               // run(): the pipeline's framing and small arguments, reused
  std::vector<WirePiece> pieces_;  // run(): what to send, in order
  std::vector<iovec> iov_;         // run(): pieces_ as sendmsg's gather list
};

}  // namespace harrier::bus
