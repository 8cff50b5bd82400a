import Foundation
import Traffic
import Support

/// The project's stack script, run as a user would.
public struct StackControl: Sendable {
    public let script: String

    public init(script: String) throws(TrafficError) {
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw TrafficError("\(script): no stack script there (run from the checkout, or give --stack)")
        }
        self.script = script
    }

    public func set(outer: Bool, inner: Bool) throws(TrafficError) {
        try run(["outer-cache", outer ? "on" : "off"])
        try run(["inner-cache", inner ? "on" : "off"])
    }

    /// Empties both layers: nginx's cache files and the pool's cache.
    public func clearCaches(_ connection: HTTPConnection) throws(TrafficError) {
        try run(["outer-cache", "clear"])
        try PoolCounters.clear(connection)
    }

    public func outerIsOn() throws(TrafficError) -> Bool {
        try run(["outer-cache", "state"], quiet: true).contains("ON")
    }

    /// Runs the script with the caller's environment; its output is shown
    /// (or returned when `quiet`).
    @discardableResult
    public func run(_ arguments: [String], quiet: Bool = false) throws(TrafficError) -> String {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("airwave-stack-\(getpid())-\(SystemClock.now())").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if quiet { posix_spawn_file_actions_addopen(&actions, 1, capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        fflush(nil)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, script, &actions, nil, argv, environ)
        guard rc == 0 else { throw TrafficError("\(SystemError("run \(script)", code: rc))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = quiet ? ((try? String(contentsOfFile: capture, encoding: .utf8)) ?? "") : ""
        if quiet { unlink(capture) }
        guard status == 0 else { throw TrafficError("\(script) \(arguments.joined(separator: " ")) failed (status \(status >> 8))") }
        return output
    }
}
