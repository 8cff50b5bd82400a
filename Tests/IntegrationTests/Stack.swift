import API
import DemoData
import Foundation
import Store
import Testing
import Traffic

/// One real stack for one test: the debug build of the pool behind a real
/// nginx, on a free port, in its own run folder inside the checkout, started
/// and stopped with the same script `make up` and `make down` use.
final class Stack {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let binary = ProcessInfo.processInfo.environment["AIRWAVE_BIN"] ?? root + "/.build/debug/airwave"

    let port: Int
    let runDir: String
    let database: String
    let workers: Int
    /// Pool hosts in network namespaces (scripts/cluster); nil: one pool on a unix socket.
    let hosts: Int?
    private var environment: [String: String]

    /// Starts the stack. `extra` adds to its environment (AIRWAVE_INNER_CACHE, …);
    /// `prepare` changes the generated library before the pool opens it.
    /// `hosts`: that many pool hosts of `workers` each, balanced by `balance`
    /// (least_conn or hash), with scripts/cluster.
    init(workers: Int = 2, helperIndexes: Bool = true, hosts: Int? = nil, balance: String = "least_conn",
         extra: [String: String] = [:], prepare: (String) throws -> Void = { _ in }) throws {
        port = try Self.freePort()
        runDir = Self.root + "/run/t-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        database = try TemporaryLibrary(artists: 300, helperIndexes: helperIndexes, in: runDir, prepare: prepare).path
        self.workers = workers
        self.hosts = hosts
        environment = ProcessInfo.processInfo.environment.merging([
            "AIRWAVE_BIN": Self.binary, "AIRWAVE_RUN_DIR": runDir, "AIRWAVE_PORT": "\(port)",
            "AIRWAVE_DB": database, "AIRWAVE_WORKERS": "\(workers)", "HOSTS": "\(hosts ?? 1)", "BALANCE": balance,
        ].merging(extra) { $1 }) { $1 }
        let up = hosts == nil ? try run("up") : try cluster("up")
        guard up.status == 0 else {
            _ = hosts == nil ? try? run("down") : try? cluster("down")
            throw HTTPError(description: "stack up failed: \(up.output)")
        }
    }

    deinit { _ = try? stop() }

    /// `scripts/stack ARGS` with this stack's environment.
    @discardableResult
    func run(_ arguments: String...) throws -> (status: Int32, output: String) {
        try Subprocess.run(Self.root + "/scripts/stack", arguments, environment: environment)
    }

    /// `scripts/cluster ARGS` with this stack's environment.
    @discardableResult
    func cluster(_ arguments: String...) throws -> (status: Int32, output: String) {
        try Subprocess.run(Self.root + "/scripts/cluster", arguments, environment: environment)
    }

    /// `airwave ARGS` (the debug build) with this stack's environment, as a
    /// user of the stack runs the tools.
    @discardableResult
    func airwave(_ arguments: String...) throws -> (status: Int32, output: String) {
        try Subprocess.run(Self.binary, arguments, environment: environment)
    }

    /// `make TARGET` in the checkout with this stack's environment: the README's commands.
    @discardableResult
    func make(_ target: String) throws -> (status: Int32, output: String) {
        try Subprocess.run("/usr/bin/make", ["-s", "-C", Self.root, target], environment: environment)
    }

    /// Stops it and removes the run folder; returns every pid the stack had.
    @discardableResult
    func stop() throws -> [pid_t] {
        let pids = allPIDs()
        guard FileManager.default.fileExists(atPath: runDir) else { return pids }
        try hosts == nil ? run("down") : cluster("down")
        try? FileManager.default.removeItem(atPath: runDir)
        return pids
    }

    /// One request through nginx; the answer is checked against the API's
    /// OpenAPI description (a mismatch is a test failure).
    func get(_ path: String, method: String = "GET", headers: [String] = []) throws -> HTTPResponse {
        let response = try HTTP.request(port: port, method, path, headers: headers)
        for problem in OpenAPI.shared.problems(method: method, target: path, response: response) {
            Issue.record("not as the OpenAPI description says: \(problem)")
        }
        return response
    }

    /// The worker's side, in-process: what the API answers `uri` from this
    /// stack's file, with no cache (the oracle for what came through nginx).
    func expected(_ uri: String, method: String = "GET") throws -> Response {
        LibraryAPI(store: try LibraryStore(path: database), cache: nil).respond(method: method, uri: uri)
    }

    /// The pool's secret for its system endpoints (nginx sends it).
    var systemSecret: [UInt8] { Array(((try? String(contentsOfFile: runDir + "/system.secret", encoding: .utf8)) ?? "").utf8) }

    var poolPID: pid_t? { Self.readPID(runDir + "/pool.pid") }
    var nginxPID: pid_t? { Self.readPID(runDir + "/nginx.pid") }
    var livePID: pid_t? { Self.readPID(runDir + "/live.pid") }
    var workerPIDs: [pid_t] { poolPID.map(Self.children) ?? [] }

    /// Host `n`'s pool master (a cluster's hosts count from 1).
    func hostPoolPID(_ n: Int) -> pid_t? { Self.readPID(runDir + "/hosts/\(n)/pool.pid") }

    /// The master, its workers, the live view, nginx's master and its
    /// workers; in a cluster, every host's pool too.
    func allPIDs() -> [pid_t] {
        let hostPools = (1...max(1, hosts ?? 0)).compactMap { hosts == nil ? nil : hostPoolPID($0) }
        return ([poolPID, livePID, nginxPID].compactMap { $0 } + hostPools).flatMap { [$0] + Self.children(of: $0) }
    }

    /// `GET /api/v1/system/live`, parsed.
    func live() throws -> [String: Any] {
        let response = try get("/api/v1/system/live")
        guard response.status == 200, let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw HTTPError(description: "live view: \(response.status) \(response.text)")
        }
        return json
    }

    func log(_ name: String) -> String { (try? String(contentsOfFile: runDir + "/logs/" + name, encoding: .utf8)) ?? "" }

    static func readPID(_ path: String) -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Live children of `parent`, from /proc (its `children` list when the
    /// kernel has one: fast even under load; else every process's stat).
    static func children(of parent: pid_t) -> [pid_t] {
        if let list = try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8) {
            return list.split(separator: " ").compactMap { pid_t($0) }.filter(isAlive)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && fields[0] != "Z" && pid_t(fields[1]) == parent
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    /// A port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HTTPError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}
