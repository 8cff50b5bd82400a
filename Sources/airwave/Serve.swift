import API
import ArgumentParser
import Cache
import CSupport
import FastCGI
import Logging
import Pool
import Store

#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Run the worker pool on a unix socket (nginx connects to it).",
        discussion: """
        The master checks the database, makes the inner cache every worker shares (in memory they all map), forks the workers (each opens the file read-only), replaces a worker that dies, and stops on SIGTERM or SIGINT after the requests in flight are answered, removing the socket.

        Started by root, the master stays root (it owns the socket, scoreboard and logs) and its workers run as --user (default: airwave, which scripts/install-deps creates); the socket is then 0660 for that user's group, which nginx's workers must be in. Otherwise the socket is 0600 and everything runs as the caller. The socket's folder must be the caller's and closed to others' writes. /api/v1/system/ answers only requests that carry the secret of --system-secret-file (nginx's system location adds it).

        Signals to the master:
          SIGTERM, SIGINT  stop gracefully
          SIGHUP           graceful reload: exec again, new workers, old ones finish
          SIGUSR1          reopen --log-file (logrotate)

        Settings come from the flags, then the --config file, then the environment:
          AIRWAVE_DB, AIRWAVE_SOCKET, AIRWAVE_WORKERS, AIRWAVE_MAX_REQUESTS
          AIRWAVE_REQUEST_TIMEOUT, AIRWAVE_SLOW_REQUEST_MS, AIRWAVE_LOG_FILE
          AIRWAVE_INNER_CACHE=off, AIRWAVE_CACHE_MAX_ENTRIES, AIRWAVE_CACHE_MAX_BYTES
          CACHE_DEFAULT_TTL (seconds, every endpoint without its own setting)
          CACHE_TTL_ARTISTS, CACHE_TTL_ARTIST, CACHE_TTL_ARTIST_WORKS
          CACHE_TTL_WORK, CACHE_TTL_WORK_RECORDINGS (seconds)
          DB_ECHO=true (log each SQL statement with its time), AIRWAVE_LOG_LEVEL
          AIRWAVE_USER, AIRWAVE_SYSTEM_SECRET_FILE, AIRWAVE_READ_TIMEOUT_MS
        """
    )

    @Option(help: "The Air-Wave database file, opened read-only. [AIRWAVE_DB]")
    var db: String?

    @Option(help: "The unix socket to listen on. [AIRWAVE_SOCKET, default run/pool.sock]")
    var socket: String?

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
    @Option(help: .hidden) var inheritCache: Int32?

    /// Every setting, from the flags, then the settings file, then the
    /// environment, with defaults; checked. Run at start and before a reload.
    struct Settings {
        var database: String
        var pool: PoolConfiguration
        var store = LibraryStore.Configuration()
        var cache: SharedCache.Configuration
        var innerCache: Bool
        var testEndpoints: Bool
        var slowRequest: Duration?
        var systemSecret: SystemSecret?
    }

    func resolveSettings() throws -> Settings {
        if let config = config ?? Environment.string("AIRWAVE_CONFIG") { try Environment.load(settingsFile: config) }
        guard let database = db ?? Environment.string("AIRWAVE_DB") else {
            throw ValidationError("no database: pass --db FILE or set AIRWAVE_DB")
        }
        var pool = PoolConfiguration(socketPath: socket ?? Environment.string("AIRWAVE_SOCKET") ?? "run/pool.sock")
        if let workers = try workers ?? Environment.int("AIRWAVE_WORKERS") {
            guard (1...256).contains(workers) else { throw ValidationError("workers must be from 1 to 256, got \(workers)") }
            pool.workers = workers
        }
        if let maxRequests = try maxRequests ?? Environment.int("AIRWAVE_MAX_REQUESTS") {
            guard maxRequests >= 0 else { throw ValidationError("max requests must be >= 0, got \(maxRequests)") }
            pool.maxRequests = maxRequests
        }
        let timeout = try requestTimeout ?? Environment.int("AIRWAVE_REQUEST_TIMEOUT") ?? 10
        guard timeout >= 0 else { throw ValidationError("request timeout must be >= 0 seconds, got \(timeout)") }
        pool.hungRequestLimit = timeout == 0 ? nil : .seconds(timeout + 1)
        let readTimeout = try readTimeoutMs ?? Environment.int("AIRWAVE_READ_TIMEOUT_MS") ?? 1000
        guard (1...60_000).contains(readTimeout) else { throw ValidationError("read timeout must be from 1 to 60000 ms, got \(readTimeout)") }
        pool.readTimeout = .milliseconds(readTimeout)
        pool.workerUser = try Self.workerUser(named: user ?? Environment.string("AIRWAVE_USER"))
        let slowMs = try slowRequestMs ?? Environment.int("AIRWAVE_SLOW_REQUEST_MS") ?? 1000
        var settings = Settings(
            database: database, pool: pool, cache: try cacheSettings(),
            innerCache: try Self.onOff(innerCache ?? Environment.string("AIRWAVE_INNER_CACHE") ?? "on", "inner cache"),
            testEndpoints: testEndpoints || Environment.bool("AIRWAVE_TEST_ENDPOINTS") == true,
            slowRequest: slowMs > 0 ? .milliseconds(slowMs) : nil,
            systemSecret: try (systemSecretFile ?? Environment.string("AIRWAVE_SYSTEM_SECRET_FILE")).map(SystemSecret.load(from:)))
        settings.store.requestTimeout = timeout == 0 ? nil : .seconds(timeout)
        if dbEcho || Environment.bool("DB_ECHO") == true { settings.store.echo = Logger(label: "airwave.sql") }
        return settings
    }

    func run() throws {
        let settings = try resolveSettings()
        if let logFile = logFile ?? Environment.string("AIRWAVE_LOG_FILE"),
           airwave_log_to(logFile, settings.pool.workerUser.map { Int32(bitPattern: $0.gid) } ?? -1) != 0 {
            throw ValidationError("cannot write the log file \(logFile): \(String(cString: strerror(errno)))")
        }
        let logger = Logger(label: "airwave.pool")
        let artists = try Self.checkDatabase(settings.database, as: settings.pool.workerUser, logger: logger)
        // Shared by every worker: made now, before the fork.
        let cache = settings.innerCache ? try SharedCache(configuration: settings.cache, inherited: inheritCache) : nil
        let artistFacts = try ArtistFacts(capacity: max(1024, 2 * artists))

        var pool = settings.pool
        pool.pidFile = pidFile
        pool.inheritedListener = inheritListener
        pool.retiringWorkers = (retiringWorkers ?? "").split(separator: ",").compactMap { pid_t($0) }
        pool.cacheDescriptor = cache?.memory.descriptor
        pool.reloadCommand = Self.commandWithoutReloadOptions()
        pool.reloadCheck = { [self] in
            // The new image resolves its settings again: never exec into one that cannot start.
            do {
                let next = try resolveSettings()
                _ = try Self.checkDatabase(next.database, as: next.pool.workerUser, logger: Logger(label: "airwave.pool"))
                return nil
            } catch {
                return "\(error)"
            }
        }

        let path = settings.database
        let (storeConfiguration, cacheConfiguration, innerCacheOn) = (settings.store, settings.cache, settings.innerCache)
        let (testEndpoints, slowRequest, secret) = (settings.testEndpoints, settings.slowRequest, settings.systemSecret)
        if secret == nil { logger.warning("no system secret (--system-secret-file): /api/v1/system/ answers 403 to every request") }
        logger.info("settings", metadata: [
            "db": "\(path)", "workers": "\(pool.workers)", "inner_cache": "\(innerCacheOn ? "on" : "off")",
            "worker_user": "\(pool.workerUser?.description ?? "(the master's)")", "read_timeout": "\(pool.readTimeout)",
            "ttl": "\(Endpoint.allCases.map { "\($0.rawValue)=\(cacheConfiguration.ttl[$0]!.components.seconds)s" }.joined(separator: " "))",
            "max_entries": "\(cacheConfiguration.maxEntries)", "max_bytes": "\(cacheConfiguration.maxBytes)",
            "cache": "\(cache == nil ? "off" : inheritCache != nil && cache!.memory.descriptor == inheritCache ? "kept across the reload" : "new")",
            "artist_facts_capacity": "\(artistFacts.capacity)",
        ])

        try Pool(configuration: pool, logger: logger) { scoreboard in
            // In the new worker: its own connection and statements; the cache
            // and the artist facts are the pool's, mapped before the fork.
            var workerLogger = Logger(label: "airwave.worker")
            workerLogger[metadataKey: "pid"] = "\(getpid())"
            var storeConfiguration = storeConfiguration
            storeConfiguration.echo?[metadataKey: "pid"] = "\(getpid())"
            storeConfiguration.logger = workerLogger
            let store = try LibraryStore(path: path, configuration: storeConfiguration, artistFacts: artistFacts)
            // One worker builds the facts before it takes requests; the
            // others start at once and go without until they are there.
            if scoreboard.ownSlot == 0 { try store.prepareArtistFacts() }
            let pool = PoolHooks(status: { scoreboard.snapshot().json() }, workers: { scoreboard.liveWorkers })
            let api = LibraryAPI(store: store, cache: cache, pool: pool,
                                 testEndpoints: testEndpoints, slowRequest: slowRequest, logger: workerLogger)
            return { request in
                let response = api.respond(method: HTTPMethod(request.parameter("REQUEST_METHOD") ?? []),
                                           uri: Array(request.parameter("REQUEST_URI") ?? []),
                                           systemAccess: secret?.admits(request.parameter(SystemSecret.parameter)) ?? false)
                return FastCGIResponse(head: Array(response.headerBlock().utf8), body: response.body)
            }
        }.run()
    }

    /// This process's command line, without the options a reload adds.
    static func commandWithoutReloadOptions() -> [String] {
        var arguments = CommandLine.arguments
        if !arguments[0].contains("/") { arguments[0] = "/proc/self/exe" }  // found on PATH: this very binary
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            let added = ["--inherit-listener", "--retiring-workers", "--inherit-cache"]
            if added.contains(argument) { skipNext = true; continue }
            if added.contains(where: { argument.hasPrefix($0 + "=") }) { continue }
            kept.append(argument)
        }
        return kept
    }

    /// The workers' user: when root, the one named (default `airwave`); else
    /// nil (they run as the caller), and naming another user is an error.
    static func workerUser(named name: String?) throws -> SystemUser? {
        guard geteuid() == 0 else {
            guard let name, let me = getpwuid(geteuid()), String(cString: me.pointee.pw_name) != name else { return nil }
            throw ValidationError("only root can run the workers as another user ('\(name)'); started by \(String(cString: me.pointee.pw_name)), they run as that user")
        }
        do { return try SystemUser.named(name ?? "airwave") } catch { throw ValidationError("\(error)") }
    }

    /// Refuses a file that is missing, unreadable (to the workers' user) or
    /// not an Air-Wave library; warns about missing helper indexes. Returns
    /// how many artists it has. The handle is closed before the fork.
    static func checkDatabase(_ path: String, as user: SystemUser?, logger: Logger) throws -> Int {
        guard let user else { return try checkDatabase(path, logger: logger) }
        do {
            return try user.acting { try checkDatabase(path, logger: logger) }
        } catch let error as ValidationError {
            throw ValidationError("\(error.message) (as the workers' user \(user.name))")
        }
    }

    private static func checkDatabase(_ path: String, logger: Logger) throws -> Int {
        guard access(path, F_OK) == 0 else { throw ValidationError("database not found: \(path)") }
        guard faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0 else { throw ValidationError("database not readable: \(path)") }
        let report: SchemaReport
        let database: Database
        do {
            database = try Database(path: path, mode: .readOnly)
            report = try database.inspectSchema()
        } catch {
            throw ValidationError("cannot read \(path) as SQLite: \(error)")
        }
        guard report.isAirWave else {
            throw ValidationError("\(path) is not an Air-Wave library: missing \(report.missingColumns.joined(separator: ", "))")
        }
        for index in report.missingIndexes {
            logger.warning("missing index on \(index.table)(\(index.column)): navigation queries will scan; fix with `airwave prepare-db \(path)` or run: \(index.createStatement)")
        }
        return Int(try database.rows("SELECT count(*) FROM artists")[0][0] ?? "0") ?? 0
    }

    func cacheSettings() throws -> SharedCache.Configuration {
        var configuration = SharedCache.Configuration()
        let fallback = try cacheDefaultTtl ?? Environment.int("CACHE_DEFAULT_TTL")
        for endpoint in Endpoint.allCases {
            if let seconds = try Environment.int(endpoint.ttlVariable) ?? fallback {
                guard seconds >= 0 else { throw ValidationError("TTLs must be >= 0 seconds, got \(seconds)") }
                configuration.ttl[endpoint] = .seconds(seconds)
            }
        }
        if let entries = try cacheMaxEntries ?? Environment.int("AIRWAVE_CACHE_MAX_ENTRIES") { configuration.maxEntries = entries }
        if let bytes = try cacheMaxBytes ?? Environment.int("AIRWAVE_CACHE_MAX_BYTES") { configuration.maxBytes = bytes }
        return configuration
    }

    static func onOff(_ text: String, _ what: String) throws -> Bool {
        switch text.lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: throw ValidationError("\(what) must be on or off, got '\(text)'")
        }
    }
}
