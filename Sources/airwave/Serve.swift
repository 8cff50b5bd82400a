import ArgumentParser
import Server

#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Run the worker pool on a unix socket or a TCP address (nginx connects to it).",
        discussion: """
        The master checks the database, makes the inner cache every worker shares (in memory they all map), forks the workers (each opens the file read-only), replaces a worker that dies, and stops on SIGTERM or SIGINT after the requests in flight are answered, removing the socket.

        Started by root, the master stays root (it owns the socket, scoreboard and logs) and its workers run as --user (default: airwave, which scripts/install-deps creates); the socket is then 0660 for that user's group, which nginx's workers must be in. Otherwise the socket is 0600 and everything runs as the caller. The socket's folder must be the caller's and closed to others' writes.

        With --listen IP:PORT (nginx on other hosts) only the addresses of --allow-from may connect: any other connection is closed as soon as it is accepted, and logged. FastCGI carries no authentication, so keep that port on a private network. /api/v1/system/ answers only requests that carry the secret of --system-secret-file (nginx's system location adds it).

        Signals to the master:
          SIGTERM, SIGINT  stop gracefully
          SIGHUP           graceful reload: exec again, new workers, old ones finish
          SIGUSR1          reopen --log-file (logrotate)

        Settings come from the flags, then the --config file, then the environment:
        \(Settings.variables)
        """
    )

    @Option(help: "The Air-Wave database file, opened read-only. [AIRWAVE_DB]")
    var db: String?

    @Option(help: "The unix socket to listen on. [AIRWAVE_SOCKET, default run/pool.sock]")
    var socket: String?

    @Option(help: "Where to listen: unix:PATH, IPv4:PORT or [IPv6]:PORT (instead of --socket). [AIRWAVE_LISTEN]")
    var listen: String?

    @Option(help: "With a TCP --listen: nginx's addresses, the only ones let in (commas). [AIRWAVE_ALLOW_FROM, else FCGI_WEB_SERVER_ADDRS, default 127.0.0.1,::1]")
    var allowFrom: String?

    @Option(help: "The scoreboard file (shared memory; `airwave status` reads it). [AIRWAVE_SCOREBOARD, default pool.scoreboard beside the socket, or run/pool-PORT.scoreboard]")
    var scoreboard: String?

    @Option(help: "Worker processes. [AIRWAVE_WORKERS, default 2 per core]")
    var workers: Int?

    @Option(help: "Replace a worker after this many requests (+ up to 10% jitter); 0: never. [AIRWAVE_MAX_REQUESTS, default 0]")
    var maxRequests: Int?

    @Option(help: "Seconds a request's SQL may run before it is stopped (503); its worker is killed if still busy 1 s later. 0: no limit. [AIRWAVE_REQUEST_TIMEOUT, default 10]")
    var requestTimeout: Int?

    @Option(help: "Log requests slower than this many milliseconds, with their SQL times; 0: never. [AIRWAVE_SLOW_REQUEST_MS, default 1000]")
    var slowRequestMs: Int?

    @Flag(help: "Serve /api/v1/system/test/slow and /hang, which break a worker on purpose (tests only). [AIRWAVE_TEST_ENDPOINTS=1]")
    var testEndpoints = false

    @Option(help: "A settings file of NAME=value lines (the environment variables' names), read at every start and reload; it wins over the environment. [AIRWAVE_CONFIG]")
    var config: String?

    @Option(help: "Write the logs to this file (appending) rather than standard error; SIGUSR1 reopens it. [AIRWAVE_LOG_FILE]")
    var logFile: String?

    @Option(help: "Write the master's pid here (removed on exit).")
    var pidFile: String?

    @Option(help: "on or off: the workers' inner cache. [AIRWAVE_INNER_CACHE, default on]")
    var innerCache: String?

    @Option(help: "TTL in seconds for every endpoint without its own setting. [CACHE_DEFAULT_TTL]")
    var cacheDefaultTtl: Int?

    @Option(help: "Most entries in the pool's inner cache. [AIRWAVE_CACHE_MAX_ENTRIES, default 10000]")
    var cacheMaxEntries: Int?

    @Option(help: "Most bytes of keys and bodies in the pool's inner cache. [AIRWAVE_CACHE_MAX_BYTES, default 64 MiB]")
    var cacheMaxBytes: Int?

    @Flag(help: "Log each SQL statement with its time. [DB_ECHO=true]")
    var dbEcho = false

    @Option(help: "When started by root: the unprivileged user the workers run as. [AIRWAVE_USER, default airwave]")
    var user: String?

    @Option(help: "A file holding the secret nginx's system location sends (mode 0600); without it /api/v1/system/ is refused. [AIRWAVE_SYSTEM_SECRET_FILE]")
    var systemSecretFile: String?

    @Option(help: "Milliseconds a worker waits for the whole of a request once it accepted the connection; a peer that stalls is closed. [AIRWAVE_READ_TIMEOUT_MS, default 1000]")
    var readTimeoutMs: Int?

    // Set by the pool itself when SIGHUP makes it exec again.
    @Option(help: .hidden) var inheritListener: Int32?
    @Option(help: .hidden) var retiringWorkers: String?

    var flags: Settings.Flags {
        var flags = Settings.Flags()
        flags.db = db
        flags.socket = socket
        flags.listen = listen
        flags.allowFrom = allowFrom
        flags.scoreboard = scoreboard
        flags.workers = workers
        flags.maxRequests = maxRequests
        flags.requestTimeout = requestTimeout
        flags.slowRequestMs = slowRequestMs
        flags.testEndpoints = testEndpoints
        flags.config = config
        flags.logFile = logFile
        flags.pidFile = pidFile
        flags.innerCache = innerCache
        flags.cacheDefaultTtl = cacheDefaultTtl
        flags.cacheMaxEntries = cacheMaxEntries
        flags.cacheMaxBytes = cacheMaxBytes
        flags.dbEcho = dbEcho
        flags.user = user
        flags.systemSecretFile = systemSecretFile
        flags.readTimeoutMs = readTimeoutMs
        flags.inheritListener = inheritListener
        flags.retiringWorkers = (retiringWorkers ?? "").split(separator: ",").compactMap { pid_t($0) }
        return flags
    }

    func run() throws {
        try Server(flags: flags).run()
    }
}
