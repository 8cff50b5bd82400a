import CSupport
import FastCGI
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What a worker runs for each request it accepts.
public typealias RequestHandler = (FastCGIRequest) -> Void

/// The life of one worker process, from just after the fork to its exit.
enum Worker {
    /// Exit status of a worker that could not start (its handler threw).
    static let startFailure: Int32 = 3

    /// Exit status of a worker that served its `maxRequests`.
    static let recycled: Int32 = 0

    static func run(listener: Int32, slot: Int, scoreboard: Scoreboard, masterPID: pid_t, maxRequests: Int, logger: Logger,
                    makeHandler: (Scoreboard) throws -> RequestHandler) -> Never {
        // Never outlive the master: the kernel kills us when it dies, and if it
        // already died before this line, we go now.
        _ = airwave_set_parent_death_signal(SIGKILL)
        if getppid() != masterPID { _exit(0) }
        SignalSet.unblockAll()
        signal(SIGPIPE, SIG_IGN)  // nginx may hang up first: a write error, not a death
        signal(SIGHUP, SIG_IGN)   // the master's business
        _ = airwave_install_log_reopen_handler()  // SIGUSR1, forwarded by the master
        let stopSignals = [SIGTERM, SIGINT]
        _ = airwave_install_flag_handlers(stopSignals, Int32(stopSignals.count))

        scoreboard.ownSlot = slot
        let handler: RequestHandler
        do {
            handler = try makeHandler(scoreboard)
        } catch {
            logger.error("worker cannot start: \(error)")
            _exit(startFailure)
        }
        let request = FastCGIRequest(listener: listener)
        scoreboard.workerReady(slot: slot)
        var remaining = maxRequests > 0 ? maxRequests + Int(UInt32(getpid()) % UInt32(maxRequests / 10 + 1)) : Int.max
        // A stop signal interrupts accept(); a request in progress is finished first.
        while airwave_pending_signal() == 0, remaining > 0, request.accept() {
            remaining -= 1
            let started = airwave_monotonic_ns()
            scoreboard.begin(slot: slot, path: request.rawParameter("REQUEST_URI"))
            handler(request)
            request.finish()
            scoreboard.end(slot: slot, microseconds: Int64((airwave_monotonic_ns() - started) / 1000))
        }
        _exit(remaining == 0 ? recycled : 0)
    }
}
