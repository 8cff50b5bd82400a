import Foundation
import JSON
import Support

#if canImport(Glibc)
import Glibc
#endif

/// The live page's buttons for nginx's cache: `outer-cache on|off|clear` of
/// the stack script, run as a child of `airwave live` (the stack's user,
/// which may signal nginx), one at a time, never waited for while a
/// request is served: switching waits for nginx's old workers, and the page
/// that asked may be holding one of their connections.
public final class OuterCacheControl {
    public enum Action: String, CaseIterable, Sendable {
        case on, off, clear
    }

    /// What the page shows: the layer's state, the command running, the last one's end.
    public struct State: Sendable {
        /// "on", "off" or "unknown" (as the stack's nginx configuration says).
        public var state: String
        public var running: Action?
        public var last: (action: Action, succeeded: Bool)?

        public init(state: String, running: Action? = nil, last: (action: Action, succeeded: Bool)? = nil) {
            self.state = state
            self.running = running
            self.last = last
        }

        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.field("state", state)
            json.field("running", running?.rawValue)
            json.field("last_action", last?.action.rawValue)
            if let last { json.field("last_succeeded", last.succeeded) } else { json.nullField("last_succeeded") }
            json.endObject()
        }
    }

    /// The stack script (nil: the buttons are refused) and its run folder.
    public let script: String?
    public let runDir: String
    private var child: (pid: pid_t, action: Action, deadline: UInt64)?
    /// A command still running after this long is killed (and fails).
    static let timeLimit: Duration = .seconds(60)
    private var last: (action: Action, succeeded: Bool)?

    public init(script: String?, runDir: String) {
        self.script = script
        self.runDir = runDir
    }

    public var state: State {
        reap()
        return State(state: Self.configured(runDir: runDir), running: child?.action, last: last)
    }

    /// Why it cannot start `action` now, or nil once it has started.
    public func start(_ action: Action) -> String? {
        reap()
        guard let script else { return "outer cache controls are off: airwave live was started without --stack" }
        if let child { return "outer-cache \(child.action.rawValue) is still running" }
        var pid: pid_t = 0
        let arguments = [script, "outer-cache", action.rawValue]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment = ProcessInfo.processInfo.environment
        environment["AIRWAVE_RUN_DIR"] = runDir
        var envp = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { envp.forEach { free($0) } }
        // Its output goes where this process's log goes.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        // Signals as a shell expects them (this process ignores SIGPIPE), none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigfillset(&defaults)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let rc = posix_spawn(&pid, script, &actions, &attributes, &argv, &envp)
        guard rc == 0 else { return "cannot run \(script): \(SystemError("posix_spawn", code: rc))" }
        child = (pid, action, SystemClock.deadline(after: Self.timeLimit))
        return nil
    }

    /// Collects the command if it has ended; kills it past its time limit.
    public func reap() {
        guard let running = child else { return }
        if SystemClock.now() > running.deadline { kill(running.pid, SIGKILL) }
        var status: Int32 = 0
        let rc = waitpid(running.pid, &status, WNOHANG)
        guard rc == running.pid || (rc < 0 && errno == ECHILD) else { return }
        last = (running.action, rc == running.pid && status & 0x7F == 0 && (status >> 8) & 0xFF == 0)
        child = nil
    }

    /// The outer layer's state as the stack's nginx configuration has it:
    /// off when `outer-cache.conf` says `fastcgi_cache off` (as
    /// `scripts/stack outer-cache state` reads it).
    static func configured(runDir: String) -> String {
        guard let file = fopen(runDir + "/nginx/outer-cache.conf", "r") else { return "unknown" }
        defer { fclose(file) }
        var text: [UInt8] = []
        while text.count < 4096, case let c = fgetc(file), c != EOF { text.append(UInt8(c)) }
        return String(decoding: text, as: UTF8.self).contains("fastcgi_cache off") ? "off" : "on"
    }
}
