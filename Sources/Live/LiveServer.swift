import CSupport
import FastCGI
import JSON
import Logging
import Support
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// `airwave live`: the source of the live page's numbers. nginx has no
/// cache statistics to ask, but it writes every request's outer and inner
/// status to its access log; this process follows that log (the file is
/// the truth: nothing is dropped under load, lines only arrive up to a
/// second late), counts both layers per endpoint and second, and answers
/// `/api/v1/system/live` over FastCGI on its own socket, with the outer
/// cache's buttons. One process, one thread: it follows the log between
/// requests, four times a second when idle.
public final class LiveServer {
    public struct Configuration: Sendable {
        /// The socket nginx's system location passes `/api/v1/system/live` to.
        public var socketPath: String
        /// nginx's access log.
        public var accessLog: String
        /// The stack's run folder (its nginx configuration says whether the outer cache is on).
        public var runDir: String
        /// The stack script, for the outer cache's buttons (nil: refused).
        public var stackScript: String?
        /// nginx adds it to every request of its system location.
        public var secret: SystemSecret?
        /// nginx's workers' group, which may connect (0660); nil: owner only (0600).
        public var socketGroup: gid_t?
        /// How often the log is read when no request comes.
        public var tick: Duration = .milliseconds(250)
        /// Where to write this process's pid once its socket is bound.
        public var pidFile: String?

        public init(socketPath: String, accessLog: String, runDir: String) {
            self.socketPath = socketPath
            self.accessLog = accessLog
            self.runDir = runDir
        }
    }

    public let configuration: Configuration
    public let counters: LiveCounters
    public let follower: AccessLogFollower
    public let control: OuterCacheControl
    let logger: Logger

    public init(_ configuration: Configuration, logger: Logger = Logger(label: "airwave.live"),
                counters: LiveCounters = LiveCounters(), fromStartOfLog: Bool = false) {
        self.configuration = configuration
        self.logger = logger
        self.counters = counters
        follower = AccessLogFollower(path: configuration.accessLog, fromStart: fromStartOfLog)
        control = OuterCacheControl(script: configuration.stackScript, runDir: configuration.runDir)
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let stopSignals = [SIGTERM, SIGINT]
        _ = airwave_install_flag_handlers(stopSignals, Int32(stopSignals.count))
        let listener = try Listener(.unix(path: configuration.socketPath), group: configuration.socketGroup)
        defer { listener.close() }
        if let pidFile = configuration.pidFile { try PidFile.write(to: pidFile) }
        defer { configuration.pidFile.map(PidFile.remove) }
        logger.info("live view started", metadata: [
            "pid": "\(getpid())", "socket": "\(configuration.socketPath)", "access_log": "\(configuration.accessLog)",
            "outer_cache_controls": "\(configuration.stackScript ?? "off")",
        ])
        let connection = FastCGIConnection()
        while airwave_pending_signal() == 0 {
            readLog()
            control.reap()
            guard listener.hasConnection(within: Int32(configuration.tick.milliseconds)) else { continue }
            guard case .connection(let fd) = listener.accept() else {
                SystemClock.sleep(until: SystemClock.deadline(after: configuration.tick))  // out of descriptors: not a busy loop
                continue
            }
            connection.open(fd)
            do {
                if let request = try connection.nextRequest(deadline: SystemClock.deadline(after: .seconds(1))) {
                    readLog()  // the numbers as fresh as the log
                    try connection.respond(to: request, with: respond(request), deadline: SystemClock.deadline(after: .seconds(5)))
                }
            } catch {
                if error != .closedEarly { logger.warning("connection closed without an answer: \(error)") }
            }
            connection.close()
        }
        logger.info("live view stopped")
    }

    /// Whatever nginx appended since the last look.
    public func readLog() {
        follower.poll { counters.record($0) }
    }

    /// The answer to one request that came through nginx's system location.
    public func respond(_ request: FastCGIRequest) -> FastCGIResponse {
        let method = String(decoding: request.parameter("REQUEST_METHOD") ?? [], as: UTF8.self)
        let uri = request.parameter("REQUEST_URI") ?? []
        let path = String(decoding: uri.prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self)
        guard configuration.secret?.admits(request.parameter(SystemSecret.parameter)) == true else {
            return Self.answer(403, detail: "Only loopback clients may use the system endpoints")
        }
        if path == Paths.live {
            guard method == "GET" || method == "HEAD" else { return Self.answer(405, detail: "Method Not Allowed", allow: "GET, HEAD") }
            return Self.answer(200, body: counters.json(outerCache: control.state, follower: follower))
        }
        let prefix = Paths.live + "/outer-cache/"
        if path.hasPrefix(prefix), let action = OuterCacheControl.Action(rawValue: String(path.dropFirst(prefix.count))) {
            guard method == "POST" else { return Self.answer(405, detail: "Method Not Allowed", allow: "POST") }
            if let refusal = control.start(action) {
                return Self.answer(control.script == nil ? 503 : 409, detail: refusal)
            }
            logger.info("outer cache: \(action.rawValue) requested from the live page")
            var json = JSONWriter()
            json.beginObject()
            json.field("detail", "outer-cache \(action.rawValue) started")
            json.field("action", action.rawValue)
            json.endObject()
            return Self.answer(202, body: json.bytes)
        }
        return Self.answer(404, detail: "Not Found")
    }

    static func answer(_ status: Int, detail: String, allow: String? = nil) -> FastCGIResponse {
        answer(status, body: JSONWriter.detail(detail), allow: allow)
    }

    static func answer(_ status: Int, body: [UInt8], allow: String? = nil) -> FastCGIResponse {
        let head = CGIHead.make(status: status, contentLength: body.count,
                                headers: [("Cache-Control", "no-store")] + (allow.map { [("Allow", $0)] } ?? []))
        return FastCGIResponse(head: Array(head.utf8), body: body)
    }
}
