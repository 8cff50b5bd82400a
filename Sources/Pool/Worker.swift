import CSupport
import FastCGI
import Logging
import Support

#if canImport(Glibc)
import Glibc
#endif

/// What a worker runs for each request it reads.
public typealias RequestHandler = (FastCGIRequest) -> FastCGIResponse

/// Who a new worker is, handed to the code that sets it up after the fork.
public struct WorkerContext {
    /// Its place in the pool (and the scoreboard): 0 up to the pool's size.
    public let slot: Int
    /// The pool's scoreboard, for the status endpoint.
    public let scoreboard: Scoreboard

    public init(slot: Int, scoreboard: Scoreboard) {
        self.slot = slot
        self.scoreboard = scoreboard
    }
}

/// The life of one worker process, from just after the fork to its exit.
enum Worker {
    /// Exit status of a worker that could not start (its handler threw).
    static let startFailure: Int32 = 3

    /// Exit status of a worker that served its `maxRequests`.
    static let recycled: Int32 = 0

    /// A peer that takes longer than this to read an answer is gone.
    static let writeTimeout: Duration = .seconds(10)

    static func run(listener: Listener, slot: Int, scoreboard: Scoreboard, masterPID: pid_t, configuration: PoolConfiguration,
                    logger: Logger, makeHandler: (WorkerContext) throws -> RequestHandler) -> Never {
        // Never as root: the user's rights before anything is opened.
        if let user = configuration.workerUser {
            do { try user.become() } catch {
                logger.error("worker cannot start: \(error)")
                _exit(startFailure)
            }
        }
        // Never outlive the master: the kernel kills us when it dies, and if it
        // already died before this line, we go now. (After the user change,
        // which clears this setting.)
        _ = airwave_set_parent_death_signal(SIGKILL)
        if getppid() != masterPID { _exit(0) }
        SignalSet.unblockAll()
        signal(SIGPIPE, SIG_IGN)  // nginx may hang up first: a write error, not a death
        signal(SIGHUP, SIG_IGN)   // the master's business
        _ = airwave_install_log_reopen_handler()  // SIGUSR1, forwarded by the master
        let stopSignals = [SIGTERM, SIGINT]
        _ = airwave_install_flag_handlers(stopSignals, Int32(stopSignals.count))

        let handler: RequestHandler
        do {
            handler = try makeHandler(WorkerContext(slot: slot, scoreboard: scoreboard))
        } catch {
            logger.error("worker cannot start: \(error)")
            _exit(startFailure)
        }
        let connection = FastCGIConnection()
        var complaints = Complaints()
        scoreboard.workerReady(slot: slot)
        var remaining = configuration.maxRequests > 0
            ? configuration.maxRequests + Int(UInt32(getpid()) % UInt32(configuration.maxRequests / 10 + 1)) : Int.max
        // A stop signal interrupts accept(); a request in progress is finished first.
        while airwave_pending_signal() == 0, remaining > 0 {
            switch listener.accept() {
            case .connection(let descriptor):
                connection.open(descriptor)
                remaining -= serve(connection, slot: slot, scoreboard: scoreboard, configuration: configuration,
                                   logger: logger, complaints: &complaints, handler: handler, limit: remaining)
                connection.close()
            case .refused(let peer):
                // Closed already; counted, and said at most once a second, like junk on the socket.
                scoreboard.count(.refused)
                if let unsaid = complaints.mayComplain(at: SystemClock.now()) {
                    logger.warning("refused a connection from \(peer?.description ?? "an unknown address"): not an allowed nginx address (--allow-from)",
                                   metadata: ["slot": "\(slot)", "not_logged_before": "\(unsaid)"])
                }
            case .interrupted:
                continue
            case .failed(let code):
                // Gone before it was taken, or out of descriptors for a moment: the socket is fine.
                logger.warning("accept failed: \(SystemError("accept", code: code))")
                if code == EBADF || code == EINVAL || code == ENOTSOCK { _exit(startFailure) }
                usleep(10_000)
            }
        }
        _exit(remaining == 0 ? recycled : 0)
    }

    /// Answers the requests of one connection (one, unless nginx keeps it
    /// open); returns how many. Reading a request has a deadline, so a peer
    /// that sends part of one and stalls costs seconds, not a worker.
    private static func serve(_ connection: FastCGIConnection, slot: Int, scoreboard: Scoreboard, configuration: PoolConfiguration,
                              logger: Logger, complaints: inout Complaints, handler: RequestHandler, limit: Int) -> Int {
        var served = 0
        while served < limit {
            scoreboard.reading(slot: slot)
            let request: FastCGIRequest
            do {
                guard let next = try connection.nextRequest(deadline: SystemClock.deadline(after: configuration.readTimeout)) else { break }
                request = next
            } catch {
                scoreboard.count(error == .timedOut ? .readTimeout : .malformed)
                if error != .closedEarly, let unsaid = complaints.mayComplain(at: SystemClock.now()) {
                    logger.warning("connection closed without an answer: \(error)",
                                   metadata: ["slot": "\(slot)", "not_logged_before": "\(unsaid)"])
                }
                break
            }
            let started = SystemClock.now()
            scoreboard.begin(slot: slot, path: request.parameter("REQUEST_URI"))
            let response = handler(request)
            // A peer gone meanwhile (nginx gave up on the client) is not the worker's fault.
            try? connection.respond(to: request, with: response, deadline: SystemClock.deadline(after: writeTimeout))
            scoreboard.end(slot: slot, microseconds: Int64((SystemClock.now() - started) / 1000))
            served += 1
            guard request.keepConnection, airwave_pending_signal() == 0 else { return served }
        }
        scoreboard.idle(slot: slot)
        return served
    }
}
