#if canImport(Glibc)
import Glibc
#endif

/// A set of signals, for blocking them and waiting on them.
struct SignalSet {
    var set = sigset_t()

    init(_ signals: [Int32]) {
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
    }

    /// Blocks these signals: they wait until `wait` takes them.
    func block() { var set = set; sigprocmask(SIG_BLOCK, &set, nil) }

    /// Unblocks every signal (in a new worker).
    static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
    }

    /// The next of these signals, or nil after `timeout`.
    func wait(timeout: Duration) -> Int32? {
        var set = set
        let nanoseconds = max(0, timeout.nanoseconds)
        var time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var info = siginfo_t()
        let signal = sigtimedwait(&set, &info, &time)
        return signal > 0 ? signal : nil
    }
}

/// A name for a signal number, for logs.
func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGTERM: "SIGTERM"
    case SIGINT: "SIGINT"
    case SIGKILL: "SIGKILL"
    case SIGHUP: "SIGHUP"
    case SIGCHLD: "SIGCHLD"
    case SIGSEGV: "SIGSEGV"
    case SIGABRT: "SIGABRT"
    case SIGILL: "SIGILL"
    case SIGTRAP: "SIGTRAP"
    case SIGBUS: "SIGBUS"
    default: "signal \(signal)"
    }
}
