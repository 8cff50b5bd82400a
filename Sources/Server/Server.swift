import API
import Cache
import CSupport
import FastCGI
import Logging
import Pool
import Store
import Support
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// The pool, assembled: the master checks the database, makes what every
/// worker shares (the inner cache, the artist facts) and runs the pool;
/// each worker, after the fork, opens its own connection and answers with
/// a `Responder`. `airwave serve` is flags → `Settings` → `Server.run()`.
public struct Server {
    public let flags: Settings.Flags
    public let settings: Settings
    let logger = Logger(label: "airwave.pool")

    /// Resolves the settings (and refuses what cannot run).
    public init(flags: Settings.Flags) throws {
        self.flags = flags
        settings = try Settings.resolve(flags)
    }

    /// Runs until SIGTERM or SIGINT; SIGHUP execs it again (a reload).
    public func run() throws {
        if let logFile = settings.logFile,
           airwave_log_to(logFile, settings.pool.workerUser.map { Int32(bitPattern: $0.gid) } ?? -1) != 0 {
            if errno == EPERM || errno == ELOOP {
                throw SetupError("the log file \(logFile) is a symbolic link, another file's second name or not root's own file: refusing to share it with the workers' group; remove it or choose another --log-file")
            }
            throw SystemError("write the log file \(logFile)")
        }
        let artists = try DatabaseCheck.run(settings.database, as: settings.pool.workerUser, logger: logger)
        // Shared by every worker: made now, before the fork.
        let cache = settings.innerCache ? try SharedCache(configuration: settings.cache) : nil
        let artistFacts = try ArtistFacts(capacity: max(1024, 2 * artists))
        if settings.systemSecret == nil {
            logger.warning("no system secret (--system-secret-file): /api/v1/system/ answers 403 to every request")
        }
        logSettings(cache: cache, artistFacts: artistFacts)
        if settings.pool.maxRequests > 0 {
            logger.notice("workers are recycled every \(settings.pool.maxRequests) requests: each new worker empties the inner cache and the artist facts are built again (see LibraryAPI.init)")
        }

        var pool = settings.pool
        pool.cacheDescriptor = cache?.memory.descriptor
        pool.reloadCommand = Self.commandWithoutReloadOptions()
        pool.reloadCheck = { [flags, logger, listen = settings.pool.listen] in
            // The new image resolves its settings again: never exec into one that cannot start.
            do {
                let next = try Settings.resolve(flags)
                guard next.pool.listen == listen else {
                    return "the listen address changed (\(listen) → \(next.pool.listen)), and a reload keeps the socket it has: restart the pool to move it"
                }
                _ = try DatabaseCheck.run(next.database, as: next.pool.workerUser, logger: logger)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let settings = settings
        try Pool(configuration: pool, logger: logger) { context in
            try Self.worker(context, settings: settings, cache: cache, artistFacts: artistFacts).respond
        }.run()
    }

    /// One worker, in its process after the fork: its own connection and
    /// statements over the pool's shared cache and artist facts. One worker
    /// of those starting builds the facts before it takes requests; the
    /// others start at once and go without them until they are there.
    /// Without a context (tests, `airwave measure`): no pool, no status
    /// endpoints, no build at start.
    public static func worker(_ context: WorkerContext?, settings: Settings, cache: SharedCache?, artistFacts: ArtistFacts?) throws -> Responder {
        var logger = Logger(label: "airwave.worker")
        logger[metadataKey: "pid"] = "\(getpid())"
        var storeConfiguration = settings.store
        storeConfiguration.echo?[metadataKey: "pid"] = "\(getpid())"
        storeConfiguration.logger = logger
        let store = try LibraryStore(path: settings.database, configuration: storeConfiguration, artistFacts: artistFacts)
        let api = LibraryAPI(store: store, cache: cache, pool: context.map { PoolStatus(scoreboard: $0.scoreboard) },
                             testEndpoints: settings.testEndpoints, slowRequest: settings.slowRequest, logger: logger)
        if context != nil, let artistFacts {
            // Every worker that starts moves the facts' epoch (see
            // `LibraryAPI.init`): once the workers starting with it have
            // too, the first to claim the build makes them before taking a
            // request; the others find it claimed and start at once.
            artistFacts.waitUntilSettled()
            do { try store.prepareArtistFacts() } catch {
                logger.warning("artist facts not built at start (the first requests build them): \(error)")
            }
        }
        return Responder(api: api, secret: settings.systemSecret, scoreboard: context?.scoreboard)
    }

    private func logSettings(cache: SharedCache?, artistFacts: ArtistFacts) {
        let pool = settings.pool, configuration = settings.cache
        logger.info("settings", metadata: [
            "db": "\(settings.database)", "workers": "\(pool.workers)", "inner_cache": "\(settings.innerCache ? "on" : "off")",
            "worker_user": "\(pool.workerUser?.description ?? "(the master's)")", "read_timeout": "\(pool.readTimeout)",
            "ttl": "\(Endpoint.allCases.map { "\($0.rawValue)=\(configuration.ttl[$0]?.components.seconds ?? 0)s" }.joined(separator: " "))",
            "max_entries": "\(configuration.maxEntries)", "max_bytes": "\(configuration.maxBytes)",
            "artist_facts_capacity": "\(artistFacts.capacity)",
        ])
    }

    /// This process's command line without the options a reload adds: what
    /// SIGHUP execs (the same binary path, so a new build there is picked up).
    static func commandWithoutReloadOptions() -> [String] {
        var arguments = CommandLine.arguments
        if !arguments[0].contains("/") { arguments[0] = "/proc/self/exe" }  // found on PATH: this very binary
        let added = ["--inherit-listener", "--retiring-workers"]
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if added.contains(argument) { skipNext = true; continue }
            if added.contains(where: { argument.hasPrefix($0 + "=") }) { continue }
            kept.append(argument)
        }
        return kept
    }
}
