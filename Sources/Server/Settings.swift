import API
import Cache
import FastCGI
import Logging
import Pool
import Store
import Support
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// Every setting of the pool, from its flags, then the settings file, then
/// the environment, with defaults; checked. Resolved at start and again
/// before a reload, so a reload applies the settings file's changes.
public struct Settings: Sendable {
    /// What the command line gave; nil: not given.
    public struct Flags: Sendable {
        public var db: String?
        public var socket: String?
        public var listen: String?
        public var allowFrom: String?
        public var scoreboard: String?
        public var workers: Int?
        public var maxRequests: Int?
        public var requestTimeout: Int?
        public var slowRequestMs: Int?
        public var testEndpoints = false
        public var config: String?
        public var logFile: String?
        public var pidFile: String?
        public var innerCache: String?
        public var cacheDefaultTtl: Int?
        public var cacheMaxEntries: Int?
        public var cacheMaxBytes: Int?
        public var dbEcho = false
        public var user: String?
        public var systemSecretFile: String?
        public var readTimeoutMs: Int?
        /// Set by the pool itself when SIGHUP makes it exec again.
        public var inheritListener: Int32?
        public var retiringWorkers: [pid_t] = []

        public init() {}
    }

    public var database: String
    public var pool: PoolConfiguration
    public var store = LibraryStore.Configuration()
    public var cache = SharedCache.Configuration()
    public var innerCache = true
    public var testEndpoints = false
    /// Requests slower than this are logged with their SQL times; nil: never.
    public var slowRequest: Duration?
    /// The secret nginx's system location sends; nil: system endpoints refused.
    public var systemSecret: SystemSecret?
    public var logFile: String?

    public init(database: String, pool: PoolConfiguration) {
        self.database = database
        self.pool = pool
    }

    /// The environment variables, with what they set (`airwave serve --help`).
    public static let variables = """
      AIRWAVE_DB, AIRWAVE_SOCKET, AIRWAVE_WORKERS, AIRWAVE_MAX_REQUESTS
      AIRWAVE_LISTEN, AIRWAVE_ALLOW_FROM (or FCGI_WEB_SERVER_ADDRS), AIRWAVE_SCOREBOARD
      AIRWAVE_REQUEST_TIMEOUT, AIRWAVE_SLOW_REQUEST_MS, AIRWAVE_LOG_FILE
      AIRWAVE_INNER_CACHE=off, AIRWAVE_CACHE_MAX_ENTRIES, AIRWAVE_CACHE_MAX_BYTES
      CACHE_DEFAULT_TTL (seconds, every endpoint without its own setting)
      CACHE_TTL_ARTISTS, CACHE_TTL_ARTIST, CACHE_TTL_ARTIST_WORKS
      CACHE_TTL_WORK, CACHE_TTL_WORK_RECORDINGS (seconds)
      DB_ECHO=true (log each SQL statement with its time), AIRWAVE_LOG_LEVEL
      AIRWAVE_USER, AIRWAVE_SYSTEM_SECRET_FILE, AIRWAVE_READ_TIMEOUT_MS
    """

    public static func resolve(_ flags: Flags, from source: SettingsSource = .process) throws -> Settings {
        var source = source
        if let config = flags.config ?? source.string("AIRWAVE_CONFIG") { try source.load(settingsFile: config) }
        guard let database = flags.db ?? source.string("AIRWAVE_DB") else {
            throw SetupError("no database: pass --db FILE or set AIRWAVE_DB")
        }
        var pool = try listenConfiguration(flags, source)
        if let workers = try flags.workers ?? source.int("AIRWAVE_WORKERS") {
            guard (1...256).contains(workers) else { throw SetupError("workers must be from 1 to 256, got \(workers)") }
            pool.workers = workers
        }
        if let maxRequests = try flags.maxRequests ?? source.int("AIRWAVE_MAX_REQUESTS") {
            guard maxRequests >= 0 else { throw SetupError("max requests must be >= 0, got \(maxRequests)") }
            pool.maxRequests = maxRequests
        }
        let timeout = try flags.requestTimeout ?? source.int("AIRWAVE_REQUEST_TIMEOUT") ?? 10
        guard (0...86_400).contains(timeout) else { throw SetupError("request timeout must be from 0 to 86400 seconds, got \(timeout)") }
        pool.hungRequestLimit = timeout == 0 ? nil : .seconds(timeout + 1)
        let readTimeout = try flags.readTimeoutMs ?? source.int("AIRWAVE_READ_TIMEOUT_MS") ?? 1000
        guard (1...60_000).contains(readTimeout) else { throw SetupError("read timeout must be from 1 to 60000 ms, got \(readTimeout)") }
        pool.readTimeout = .milliseconds(readTimeout)
        pool.workerUser = try workerUser(named: flags.user ?? source.string("AIRWAVE_USER"))
        pool.pidFile = flags.pidFile
        pool.inheritedListener = flags.inheritListener
        pool.retiringWorkers = flags.retiringWorkers

        var settings = Settings(database: database, pool: pool)
        settings.cache = try cacheConfiguration(flags, source)
        settings.innerCache = try onOff(flags.innerCache ?? source.string("AIRWAVE_INNER_CACHE") ?? "on", "inner cache")
        settings.testEndpoints = flags.testEndpoints || source.bool("AIRWAVE_TEST_ENDPOINTS") == true
        let slowMs = try flags.slowRequestMs ?? source.int("AIRWAVE_SLOW_REQUEST_MS") ?? 1000
        guard (0...86_400_000).contains(slowMs) else { throw SetupError("slow request must be from 0 to 86400000 ms, got \(slowMs)") }
        settings.slowRequest = slowMs > 0 ? .milliseconds(slowMs) : nil
        settings.systemSecret = try (flags.systemSecretFile ?? source.string("AIRWAVE_SYSTEM_SECRET_FILE")).map(SystemSecret.load(from:))
        settings.logFile = flags.logFile ?? source.string("AIRWAVE_LOG_FILE")
        settings.store.requestTimeout = timeout == 0 ? nil : .seconds(timeout)
        if flags.dbEcho || source.bool("DB_ECHO") == true { settings.store.echo = Logger(label: "airwave.sql") }
        return settings
    }

    /// Where the pool listens and who may connect: `--listen` or `--socket`
    /// (not both), and for TCP the allowed list, loopback unless told.
    static func listenConfiguration(_ flags: Flags, _ source: SettingsSource) throws -> PoolConfiguration {
        let given = flags.listen != nil || flags.socket != nil
        let listen = given ? flags.listen : source.string("AIRWAVE_LISTEN")
        let socket = given ? flags.socket : source.string("AIRWAVE_SOCKET")
        if let listen, let socket {
            throw SetupError("both a listen address (\(listen)) and a socket (\(socket)): give one (--listen unix:PATH is --socket PATH)")
        }
        let address = try listen.map(ListenAddress.init(parsing:)) ?? .unix(path: socket ?? "run/pool.sock")
        var pool = PoolConfiguration(listen: address, scoreboardPath: flags.scoreboard ?? source.string("AIRWAVE_SCOREBOARD"))
        let allowed = flags.allowFrom ?? source.string("AIRWAVE_ALLOW_FROM") ?? source.string("FCGI_WEB_SERVER_ADDRS")
        switch address {
        case .unix:
            // FCGI_WEB_SERVER_ADDRS may be set for other programs: only our own names are a mistake here.
            if flags.allowFrom != nil || source.string("AIRWAVE_ALLOW_FROM") != nil {
                throw SetupError("--allow-from is for a TCP --listen; a unix socket's mode says who connects")
            }
        case .tcp:
            pool.allowedPeers = try IPAddress.list(allowed ?? "127.0.0.1,::1", what: "the addresses allowed to connect (--allow-from)")
        }
        return pool
    }

    static func cacheConfiguration(_ flags: Flags, _ source: SettingsSource) throws -> SharedCache.Configuration {
        var configuration = SharedCache.Configuration()
        let fallback = try flags.cacheDefaultTtl ?? source.int("CACHE_DEFAULT_TTL")
        for endpoint in Endpoint.allCases {
            if let seconds = try source.int(endpoint.ttlVariable) ?? fallback {
                guard (0...31_536_000).contains(seconds) else { throw SetupError("TTLs must be from 0 to 31536000 seconds (a year), got \(seconds)") }
                configuration.ttl[endpoint] = .seconds(seconds)
            }
        }
        if let entries = try flags.cacheMaxEntries ?? source.int("AIRWAVE_CACHE_MAX_ENTRIES") { configuration.maxEntries = entries }
        if let bytes = try flags.cacheMaxBytes ?? source.int("AIRWAVE_CACHE_MAX_BYTES") { configuration.maxBytes = bytes }
        return configuration
    }

    /// The workers' user: when root, the one named (default `airwave`); else
    /// nil (they run as the caller), and naming another user is an error.
    static func workerUser(named name: String?) throws -> SystemUser? {
        guard geteuid() == 0 else {
            guard let name, let me = getpwuid(geteuid()), String(cString: me.pointee.pw_name) != name else { return nil }
            throw SetupError("only root can run the workers as another user ('\(name)'); started by \(String(cString: me.pointee.pw_name)), they run as that user")
        }
        return try SystemUser.named(name ?? "airwave")
    }

    static func onOff(_ text: String, _ what: String) throws -> Bool {
        switch text.lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: throw SetupError("\(what) must be on or off, got '\(text)'")
        }
    }
}
