import FastCGI

#if canImport(Glibc)
import Glibc
#endif

/// How the pool runs.
public struct PoolConfiguration: Sendable {
    /// Where nginx connects: a unix socket (mode 0600, or 0660 for the
    /// workers' group when there is a `workerUser`) or a TCP address.
    public var listen: ListenAddress
    /// TCP: nginx's addresses, the only peers let in.
    public var allowedPeers: Set<IPAddress> = []
    /// When the pool is started by root: the user its workers run as (nginx's
    /// workers run as it too, and connect through its group). nil: the
    /// workers run as the master's user.
    public var workerUser: SystemUser?
    /// Worker processes. Default: two per core.
    public var workers: Int = 2 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// Where the master writes its pid (removed on exit); nil for none.
    public var pidFile: String?
    /// The scoreboard file (shared memory).
    public var scoreboardPath: String
    /// How long a stop waits for workers to finish their requests before killing them.
    public var shutdownGrace: Duration = .seconds(10)
    /// A request still running this long after it started (stuck outside
    /// SQLite, which stops its own statements at the request timeout) gets
    /// its worker killed and replaced; nginx answers the client 503. nil: never.
    public var hungRequestLimit: Duration? = .seconds(11)
    /// How long a worker waits for the whole of a request once it accepted
    /// the connection (nginx sends it at once): a peer that sends part of one
    /// and stalls is closed after this, and the worker takes the next. The
    /// master kills a worker still reading a second later.
    public var readTimeout: Duration = .seconds(1)
    /// A worker exits after this many requests (plus up to 10% jitter, so
    /// workers do not all restart together) and is replaced. 0: never.
    public var maxRequests = 0
    /// A worker that dies before it is ready (a crash at start-up) is started
    /// again after 100 ms, doubling with each such death up to this. A worker
    /// that dies later is replaced at once.
    public var maxRestartDelay: Duration = .seconds(30)

    /// The shared cache's memory (a memfd the master made before the fork),
    /// named in the scoreboard for `airwave status`.
    public var cacheDescriptor: Int32?

    /// After a graceful reload: the listening socket the previous image left
    /// open, and its workers, which finish their requests and exit.
    public var inheritedListener: Int32?
    public var retiringWorkers: [pid_t] = []
    /// The command line to exec on SIGHUP (the same binary path, so a new
    /// build there is picked up), without the reload's own options.
    public var reloadCommand: [String] = []
    /// Run before a reload's exec; an error message cancels the reload (the
    /// running pool goes on) rather than letting the new image fail to start.
    public var reloadCheck: (@Sendable () -> String?)?

    /// `scoreboardPath` defaults to `pool.scoreboard` beside a unix socket,
    /// or `run/pool-PORT.scoreboard` for TCP (never another pool's).
    public init(listen: ListenAddress, scoreboardPath: String? = nil) {
        self.listen = listen
        switch listen {
        case .unix: self.scoreboardPath = scoreboardPath ?? (listen.folder ?? ".") + "/pool.scoreboard"
        case .tcp(_, let port): self.scoreboardPath = scoreboardPath ?? "run/pool-\(port).scoreboard"
        }
    }
}
