import CSupport
import FastCGI
import Logging
import Support

#if canImport(Glibc)
import Glibc
#endif

/// A pre-fork pool of FastCGI workers on one unix socket, PHP-FPM style.
///
/// The master forks the workers before any thread or database handle exists,
/// then only supervises: it replaces a worker that dies (slowing down when
/// one keeps dying before it is ready) and, on SIGTERM or SIGINT, lets every worker
/// finish its request, then removes the socket and exits.
public final class Pool {
    public let configuration: PoolConfiguration
    private let logger: Logger
    private let makeHandler: (WorkerContext) throws -> RequestHandler

    private struct Slot {
        var pid: pid_t = 0
        var startedAt = SystemClock.now()
        var startFailures = 0
        var nextStart: UInt64?
        var killedAsHung = false
    }
    private var slots: [Slot] = []
    /// Workers of the image before a reload, finishing their last request.
    private var retiring: Set<pid_t> = []
    private var listener: Listener?
    private var scoreboard: Scoreboard!
    private let masterPID = getpid()

    /// - Parameter makeHandler: runs in each new worker, after the fork: open
    ///   the database there and return what answers a request. It gets the
    ///   worker's slot and the scoreboard.
    public init(configuration: PoolConfiguration, logger: Logger, makeHandler: @escaping (WorkerContext) throws -> RequestHandler) {
        self.configuration = configuration
        self.logger = logger
        self.makeHandler = makeHandler
    }

    /// Runs until SIGTERM or SIGINT. Throws when the socket cannot be opened.
    public func run() throws {
        let signals = SignalSet([SIGTERM, SIGINT, SIGCHLD, SIGHUP, SIGUSR1])
        signals.block()
        let listener = try configuration.inheritedListener.map {
            try Listener(inherited: $0, address: configuration.listen, allowedPeers: configuration.allowedPeers)
        } ?? Listener(configuration.listen, allowedPeers: configuration.allowedPeers, group: configuration.workerUser?.gid)
        self.listener = listener
        let scoreboardPath = configuration.scoreboardPath
        do {
            scoreboard = try Scoreboard.create(path: scoreboardPath, slots: configuration.workers, masterPID: masterPID)
        } catch {
            listener.close()
            throw error
        }
        scoreboard.cacheDescriptor = configuration.cacheDescriptor
        if let pidFile = configuration.pidFile { try PidFile.write(to: pidFile) }
        logger.info("pool started", metadata: ["pid": "\(masterPID)", "workers": "\(configuration.workers)", "listen": "\(listener.address)",
                                               "scoreboard": "\(scoreboardPath)"])
        if !listener.allowedPeers.isEmpty {
            logger.info("TCP peers allowed", metadata: ["allowed": "\(listener.allowedPeers.map(\.description).sorted().joined(separator: ","))"])
        }
        slots = Array(repeating: Slot(), count: configuration.workers)
        for index in slots.indices { spawn(index, replacing: false) }
        retire(configuration.retiringWorkers)

        while true {
            // Look at the scoreboard for hung workers four times a second.
            let watchdog: Duration = .milliseconds(250)
            let signal = signals.wait(timeout: min(timeUntilNextStart(), watchdog))
            switch signal {
            case SIGTERM, SIGINT:
                logger.info("stopping on \(signalName(signal!))")
                stop()
                return
            case SIGHUP:
                reload()
            case SIGUSR1:
                reopenLogs()
            default:
                reapWorkers()
            }
            killHungWorkers()
            startDueWorkers()
        }
    }

    /// Kills the workers whose request has run past `hungRequestLimit`, or
    /// that are still reading one a second past `readTimeout` (their own
    /// deadline failed them).
    private func killHungWorkers() {
        let now = SystemClock.milliseconds()
        for index in slots.indices where slots[index].pid > 0 && !slots[index].killedAsHung {
            guard let (reading, started) = scoreboard.activeSince(slot: index) else { continue }
            let limit = reading ? configuration.readTimeout + .seconds(1) : configuration.hungRequestLimit
            guard let limit, now - started > limit.milliseconds else { continue }
            logger.warning(reading ? "worker killed: stuck reading a request" : "worker killed: request over the time limit", metadata: [
                "slot": "\(index)", "worker_pid": "\(slots[index].pid)",
                "path": "\(reading ? "-" : scoreboard.currentPath(slot: index))", "elapsed_ms": "\(now - started)",
            ])
            kill(slots[index].pid, SIGKILL)
            slots[index].killedAsHung = true
        }
    }

    // MARK: Workers

    private func spawn(_ index: Int, replacing: Bool) {
        fflush(nil)  // else buffered output is printed again by each child
        let pid = fork()
        if pid == 0 {
            Worker.run(listener: listener!, slot: index, scoreboard: scoreboard, masterPID: masterPID,
                       configuration: configuration, logger: logger, makeHandler: makeHandler)
        }
        guard pid > 0 else {
            logger.error("fork failed: \(SystemError("fork"))")
            slots[index].nextStart = SystemClock.deadline(after: .seconds(1))
            return
        }
        slots[index].pid = pid
        slots[index].startedAt = SystemClock.now()
        slots[index].nextStart = nil
        slots[index].killedAsHung = false
        scoreboard.workerStarted(slot: index, pid: pid, replacing: replacing)
        logger.info("worker started", metadata: ["slot": "\(index)", "worker_pid": "\(pid)"])
    }

    /// Collects every worker that exited and schedules its replacement.
    private func reapWorkers() {
        while true {
            var status: Int32 = 0
            var usage = rusage()
            let pid = wait4(-1, &status, WNOHANG, &usage)
            guard pid > 0 else { return }
            if retiring.remove(pid) != nil {
                logger.info("retired worker exited", metadata: ["worker_pid": "\(pid)", "cause": "\(Self.describe(status))"])
                continue
            }
            guard let index = slots.firstIndex(where: { $0.pid == pid }) else { continue }
            let uptime = Duration.nanoseconds(Int64(SystemClock.now() - slots[index].startedAt))
            let diedStarting = scoreboard.isStarting(slot: index)
            slots[index].pid = 0
            // Its CPU time, before its slot empties: the pool's CPU counter (live workers' from /proc) never goes back.
            scoreboard.addExitedCPU(microseconds: Self.microseconds(usage.ru_utime) + Self.microseconds(usage.ru_stime))
            scoreboard.workerExited(slot: index)
            // Exit 0 outside a stop: the worker served its max_requests.
            let recycled = status == Worker.recycled
            slots[index].startFailures = diedStarting ? slots[index].startFailures + 1 : 0
            let delay = restartDelay(afterStartFailures: slots[index].startFailures)
            slots[index].nextStart = SystemClock.deadline(after: delay)
            var metadata: Logger.Metadata = ["slot": "\(index)", "worker_pid": "\(pid)", "uptime_ms": "\(uptime.milliseconds)",
                                             "cause": "\(recycled ? "recycled after max_requests" : Self.describe(status))"]
            if delay > .zero { metadata["restart_in_ms"] = "\(delay.milliseconds)" }
            if recycled { logger.info("worker recycled", metadata: metadata) } else { logger.warning("worker exited", metadata: metadata) }
        }
    }

    static func microseconds(_ time: timeval) -> UInt64 { UInt64(max(0, time.tv_sec)) * 1_000_000 + UInt64(max(0, time.tv_usec)) }

    /// None after a worker that was ready; then 100 ms, doubling, capped.
    func restartDelay(afterStartFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let delay = Duration.milliseconds(100) * (1 << min(failures - 1, 20))
        return min(delay, configuration.maxRestartDelay)
    }

    private func startDueWorkers() {
        let now = SystemClock.now()
        for index in slots.indices where slots[index].pid == 0 {
            if let due = slots[index].nextStart, due <= now { spawn(index, replacing: true) }
        }
    }

    private func timeUntilNextStart() -> Duration {
        let due = slots.compactMap { $0.pid == 0 ? $0.nextStart : nil }.min()
        guard let due else { return .seconds(60) }
        return max(.milliseconds(1), .nanoseconds(Int64(due) - Int64(SystemClock.now())))
    }

    // MARK: Logs

    /// SIGUSR1 (logrotate moved the file): reopen it here and in every worker.
    private func reopenLogs() {
        guard airwave_reopen_log() == 0 else {
            logger.error("cannot reopen the log file: \(SystemError("open"))")
            return
        }
        for pid in slots.map(\.pid) where pid > 0 { kill(pid, SIGUSR1) }
        logger.info("log file reopened")
    }

    // MARK: Reload

    /// SIGHUP: exec the binary again, in this process (same pid), keeping the
    /// listening socket. The new image starts its workers, then asks these to
    /// finish their request and exit: the socket never closes, so no request
    /// is refused or dropped. When the exec fails, this image goes on.
    private func reload() {
        guard let listener, let program = configuration.reloadCommand.first else {
            logger.error("reload impossible: no command to exec")
            return
        }
        if let problem = configuration.reloadCheck?() {
            logger.error("reload cancelled: \(problem); the running pool goes on")
            return
        }
        guard access(program, X_OK) == 0 else {
            logger.error("reload cancelled: \(program) is not executable; the running pool goes on")
            return
        }
        let workers = slots.map(\.pid).filter { $0 > 0 } + retiring
        let arguments = configuration.reloadCommand + ["--inherit-listener", "\(listener.descriptor)",
                                                       "--retiring-workers", workers.map(String.init).joined(separator: ",")]
        logger.info("reloading", metadata: ["exec": "\(program)", "retiring": "\(workers.count)"])
        // Only the socket survives the exec: the shared cache and facts are the new image's to make.
        _ = fcntl(listener.descriptor, F_SETFD, 0)
        fflush(nil)
        var argv = arguments.map { strdup($0) } + [nil]
        execv(program, &argv)
        // Only reached when the exec failed.
        let reason = SystemError("execv")
        argv.forEach { free($0) }
        _ = fcntl(listener.descriptor, F_SETFD, FD_CLOEXEC)
        logger.error("reload failed: cannot exec \(program): \(reason); the running pool goes on")
    }

    /// Asks the previous image's workers to finish and exit.
    private func retire(_ workers: [pid_t]) {
        for pid in workers where kill(pid, SIGTERM) == 0 { retiring.insert(pid) }
        if !workers.isEmpty { logger.info("reloaded", metadata: ["retiring": "\(retiring.count)", "workers": "\(slots.count)"]) }
    }

    // MARK: Stop

    /// Asks every worker to finish and exit; kills those still running after
    /// the grace period. Then removes the socket and the pid file.
    private func stop() {
        let deadline = SystemClock.deadline(after: configuration.shutdownGrace)
        for index in slots.indices where slots[index].pid > 0 { scoreboard.workerStopping(slot: index) }
        var running = Set(slots.map(\.pid).filter { $0 > 0 }).union(retiring)
        while !running.isEmpty {
            // Repeated: a worker that was between requests when the first
            // signal came may have gone back into accept().
            for pid in running { kill(pid, SystemClock.now() < deadline ? SIGTERM : SIGKILL) }
            usleep(50_000)
            var status: Int32 = 0
            while case let pid = waitpid(-1, &status, WNOHANG), pid > 0 { running.remove(pid) }
        }
        listener?.close()
        scoreboard.remove()
        if let pidFile = configuration.pidFile { PidFile.remove(pidFile) }
        logger.info("pool stopped")
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exit \((status >> 8) & 0xFF)" }
        return "killed by \(signalName(signal))"
    }
}

