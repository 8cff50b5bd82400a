import Cache
import JSON
import Logging
import Store
import Support
import Vocabulary

/// Answers one request: routes and validates it, keeps the inner cache fresh,
/// serves from it or from the store. One per worker process.
public final class LibraryAPI {
    public let store: LibraryStore
    /// The pool's inner cache, shared by every worker; nil when the inner
    /// layer is off (`X-Cache-Inner: OFF`).
    public let cache: SharedCache?
    /// The pool this worker belongs to (its status), if any.
    let pool: PoolView?
    /// Serve `/api/v1/system/test/…` (see `TestEndpoints.swift`): only for tests.
    let testEndpoints: Bool
    /// Requests slower than this are logged with their SQL times; nil: none.
    let slowRequest: Duration?
    let logger: Logger

    public init(store: LibraryStore, cache: SharedCache?, pool: PoolView? = nil, testEndpoints: Bool = false,
                slowRequest: Duration? = nil, logger: Logger = Logger(label: "airwave.api")) {
        self.store = store
        self.cache = cache
        self.pool = pool
        self.testEndpoints = testEndpoints
        self.slowRequest = slowRequest
        self.logger = logger
        store.database.timesStatements = slowRequest != nil
        // A worker that starts (with the pool, in a reload, or replacing
        // one) sees every commit made before its connection opened, and
        // cannot tell whether the shared cache and artist facts were
        // computed before some of them: each worker notices a change only
        // with its own connection's data_version, so a commit made while the
        // pool was idle is noticed by nobody yet. It starts a new epoch for
        // the pool: the cache is emptied, the facts are built again.
        cache?.clear()
        store.artistFacts?.invalidate()
    }

    /// The answer to `method` on `uri` (path and query string, the bytes nginx
    /// sent); a slow one is logged with the time of each SQL statement it ran.
    /// `systemAccess`: the request came through nginx's system location (it
    /// carried the pool's secret); without it `/api/v1/system/` is refused.
    /// A HEAD gets the GET's answer, body included: nginx leaves it out.
    public func respond(method: HTTPMethod, uri: [UInt8], systemAccess: Bool = false) -> Response {
        guard let slowRequest else { return answer(method: method, uri: uri, systemAccess: systemAccess) }
        store.database.resetStatementTimes()
        let started = SystemClock.now()
        let response = answer(method: method, uri: uri, systemAccess: systemAccess)
        let elapsed = SystemClock.now() - started
        if elapsed >= UInt64(max(0, slowRequest.nanoseconds)) {
            let sql = store.database.statementTimes.map { "\(Format.milliseconds($0.nanoseconds)) ms \($0.sql.prefix(70))" }
            logger.warning("slow request", metadata: [
                "uri": "\(String(decoding: uri, as: UTF8.self))", "status": "\(response.status)", "ms": "\(Format.milliseconds(elapsed))",
                "sql": "\(sql.joined(separator: " | "))",
            ])
        }
        return response
    }

    /// The same, from text (tests, `airwave measure`).
    public func respond(method: String, uri: String, systemAccess: Bool = false) -> Response {
        respond(method: HTTPMethod(method.utf8), uri: Array(uri.utf8), systemAccess: systemAccess)
    }

    private func answer(method: HTTPMethod, uri: [UInt8], systemAccess: Bool) -> Response {
        let mark = uri.firstIndex(of: UInt8(ascii: "?")) ?? uri.endIndex
        let path = uri[..<mark]
        let query = mark == uri.endIndex ? [] : uri[(mark + 1)...]
        if path.starts(with: Self.systemPrefix.utf8) {
            guard systemAccess else { return Response(.systemForbidden, innerCache: nil) }
            return systemResponse(method: method, path: path.dropFirst(Self.systemPrefix.utf8.count))
        }
        let innerOff: InnerCacheStatus? = cache == nil ? .off : nil
        guard path.starts(with: Self.libraryPrefix.utf8) else { return Response(.notFound, innerCache: innerOff ?? .miss) }
        let request: LibraryRequest
        do throws(APIError) {
            request = try LibraryRequest(path: path.dropFirst(Self.libraryPrefix.utf8.count), query: QueryParameters(query))
            guard method == .get || method == .head else { throw APIError.methodNotAllowed }
        } catch {
            return Response(error, innerCache: innerOff ?? .miss)
        }
        do {
            // Before the snapshot (see `SharedCache`): what this request
            // stores is tagged with the epoch its data is at least as new as.
            let epoch = cache?.epoch
            return try store.read {
                // Another program may have written the file, or renamed another
                // over it: nothing older may be served after that, by any
                // worker; nor stored from here.
                let fileChanged = store.refreshIfChanged()
                if fileChanged { cache?.clear() }
                guard let cache, let epoch else { return Response(status: 200, body: try body(for: request), innerCache: .off) }
                let key = request.cacheKey
                if let body = cache.lookup(key, endpoint: request.endpoint) {
                    return Response(status: 200, body: body, innerCache: .hit)
                }
                let body = try body(for: request)
                // A worker still on the old file (the new one refused) keeps its answers to itself.
                if !fileChanged, store.servesCurrentFile { cache.store(key, endpoint: request.endpoint, body: body, epoch: epoch) }
                return Response(status: 200, body: body, innerCache: .miss)
            }
        } catch let error as APIError {
            return Response(error, innerCache: innerOff ?? .miss)
        } catch let error as DatabaseError where error.isInterrupt {
            return timedOut(String(decoding: uri, as: UTF8.self), innerCache: innerOff ?? .miss)
        } catch {
            logger.error("request failed", metadata: ["uri": "\(String(decoding: uri, as: UTF8.self))", "error": "\(error)"])
            return Response(APIError(503, "The library database could not be read; try again"), innerCache: innerOff ?? .miss)
        }
    }

    static let libraryPrefix = Paths.library + "/"
    static let systemPrefix = Paths.system + "/"

    /// The 503 of a request whose statements ran past the request timeout.
    func timedOut(_ uri: String, innerCache: InnerCacheStatus?) -> Response {
        let limit = store.requestTimeout.map { "\($0.components.seconds) s" } ?? "the limit"
        logger.warning("request timed out", metadata: ["uri": "\(uri)", "timeout": "\(limit)"])
        return Response(APIError(503, "The request took longer than \(limit) and was stopped; try again"), innerCache: innerCache)
    }

    /// The JSON body of a 200, or the 404 of a missing artist or work.
    func body(for request: LibraryRequest) throws -> [UInt8] {
        var json = JSONWriter()
        switch request {
        case let .artists(skip, limit, search):
            json.write(try store.artists(skip: skip, limit: limit, search: search))
        case let .artist(id):
            guard let artist = try store.artist(id: id) else { throw APIError.artistNotFound }
            json.write(artist)
        case let .artistWorks(id, skip, limit):
            guard let works = try store.artistWorks(artistID: id, skip: skip, limit: limit) else { throw APIError.artistNotFound }
            json.write(works)
        case let .work(id):
            guard let work = try store.work(id: id) else { throw APIError.workNotFound }
            json.write(work)
        case let .workRecordings(id, skip, limit, status, source):
            guard let recordings = try store.recordings(workID: id, skip: skip, limit: limit, status: status, source: source) else {
                throw APIError.workNotFound
            }
            json.write(recordings)
        }
        return json.bytes
    }
}
