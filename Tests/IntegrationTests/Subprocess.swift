import Foundation

/// Runs programs with posix_spawn and waitpid: their output goes to a file
/// (a daemon that keeps a pipe open cannot hang the test), and each test
/// reaps exactly the children it started.
struct Subprocess {
    let pid: pid_t
    let outputPath: String

    /// Starts `path` with `arguments`; stdout and stderr go to a temporary file.
    init(_ path: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("airwave-out-\(UUID().uuidString)").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw HTTPError(description: "cannot start \(path): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// Waits for the exit; returns the exit status (128 + signal when killed) and the output.
    @discardableResult
    func wait() -> (status: Int32, output: String) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = output
        try? FileManager.default.removeItem(atPath: outputPath)
        let signal = status & 0x7F
        return (signal == 0 ? (status >> 8) & 0xFF : 128 + signal, output)
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Runs to the end.
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (status: Int32, output: String) {
        try Subprocess(path, arguments, environment: environment).wait()
    }
}
