import FastCGITesting
import Foundation
import Testing
import Traffic

/// Several pool hosts behind one nginx (scripts/cluster): each host a
/// network namespace with its own 198.18.x.y address, its own pool on TCP
/// and its own copy of the database; nginx in the root namespace. Which host
/// answered is read from nginx's access log (`upstream=`), never guessed.
@Suite(.serialized) struct ClusterTests {
    /// The hosts nginx sent each request to, from its access log: the URI
    /// and its upstream field (`a` or `a, b` when a failed and b answered).
    static func upstreams(_ stack: Stack, agent: String) -> [(uri: String, hosts: [String])] {
        stack.log("access.log").split(separator: "\n").compactMap { line in
            guard line.hasSuffix("agent=\"\(agent)\""),
                  let request = line.split(separator: "\"").dropFirst().first?.split(separator: " "), request.count >= 2,
                  let field = line.range(of: " upstream=")?.upperBound, let end = line.range(of: " agent=\"")?.lowerBound else { return nil }
            return (String(request[1]), line[field..<end].components(separatedBy: ", "))
        }
    }

    /// Waits until nginx flushed `count` lines of `agent` (its log buffer flushes every second).
    static func logged(_ stack: Stack, agent: String, count: Int) -> [(uri: String, hosts: [String])] {
        _ = Stack.eventually(within: 5) { upstreams(stack, agent: agent).count >= count }
        return upstreams(stack, agent: agent)
    }

    static func get(_ stack: Stack, _ path: String, agent: String) throws -> HTTPResponse {
        try HTTP.request(port: stack.port, "GET", path, headers: ["User-Agent: \(agent)"])
    }

    /// The namespaces and links of this machine (to see that none is left).
    static func network() throws -> String {
        try Subprocess.run("/usr/sbin/ip", ["netns", "list"], environment: [:]).output
            + (try Subprocess.run("/usr/sbin/ip", ["-o", "link"], environment: [:]).output)
    }

    @Test func everyHostServesAFailedHostCostsNoRequestAndComesBack() throws {
        let stack = try Stack(workers: 2, hosts: 3, balance: "least_conn")
        var stopped = false
        defer { if !stopped { _ = try? stack.stop() } }
        #expect(try stack.run("outer-cache", "off").status == 0)
        let cluster = try String(contentsOfFile: stack.runDir + "/cluster.env", encoding: .utf8)
        let number = try #require(cluster.split(separator: "\n").first { $0.hasPrefix("CLUSTER=") }?.dropFirst(8))
        let hostAddresses = (1...3).map { "198.18.\(number).\(4 * $0 + 2):9000" }

        // Every host serves: distinct URLs, cold caches, first requests.
        for id in 1...30 { #expect(try Self.get(stack, "/api/v1/library/artists/\(id)", agent: "spread").status == 200) }
        let spread = Self.logged(stack, agent: "spread", count: 30)
        #expect(Set(spread.flatMap(\.hosts)) == Set(hostAddresses), "\(spread.map(\.hosts))")

        // Under load from 4 clients, host 2's pool is killed as in a crash:
        // nginx retries its requests on the others (fastcgi_next_upstream).
        let failures = Shared(0), answered = Shared(0)
        let loadDone = Shared(false)
        let group = DispatchGroup()
        let port = stack.port
        for client in 0..<4 {
            DispatchQueue.global().async(group: group) {
                guard let connection = try? HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10) else {
                    failures.update { $0 += 1 }
                    return
                }
                connection.extraHeaders = ["User-Agent: failover"]
                var id = client * 1000
                while !loadDone.value {
                    id += 1
                    let response = try? connection.request("/api/v1/library/artists/\(id % 290 + 1)/works?limit=\(id % 50 + 1)")
                    if response?.status == 200 { answered.update { $0 += 1 } } else { failures.update { $0 += 1 } }
                }
            }
        }
        usleep(700_000)
        let victim = try #require(stack.hostPoolPID(2))
        let victimWorkers = Stack.children(of: victim)
        #expect(try stack.cluster("stop-host", "2").status == 0)
        #expect(!Stack.isAlive(victim) && victimWorkers.allSatisfy { !Stack.isAlive($0) })
        usleep(1_000_000)
        loadDone.value = true
        group.wait()
        // At most the requests in flight on host 2 (2 workers) may fail; nginx retried them all here.
        #expect(failures.value <= 2, "\(failures.value) failed of \(answered.value + failures.value)")
        #expect(answered.value > 100)
        let failover = Self.logged(stack, agent: "failover", count: answered.value + failures.value)
        let retried = failover.filter { $0.hosts.count > 1 }
        #expect(!retried.isEmpty, "host 2 was taking requests, so some were retried")
        #expect(retried.allSatisfy { $0.hosts.first == hostAddresses[1] }, "only host 2's requests moved: \(retried.map(\.hosts))")
        print("failover: \(answered.value + failures.value) requests, \(failures.value) failed, \(retried.count) retried on another host")

        // Brought back, it rejoins once nginx's fail_timeout (3 s) has passed.
        #expect(try stack.cluster("start-host", "2").status == 0)
        var id = 0
        let rejoined = Stack.eventually(within: 10) {
            id += 1
            _ = try? Self.get(stack, "/api/v1/library/works/\(id)", agent: "rejoin")
            return Self.upstreams(stack, agent: "rejoin").contains { $0.hosts == [hostAddresses[1]] }
        }
        #expect(rejoined, "host 2 took no request after it came back")

        // Nothing left behind: processes, namespaces, links.
        let pids = try stack.stop()
        stopped = true
        #expect(pids.count >= 3 * 3 + 2 && pids.allSatisfy { !Stack.isAlive($0) })
        let network = try Self.network()
        #expect(!network.contains("aw\(number)h") && !network.contains("aw\(number)r"), "\(network)")
    }

    @Test func consistentHashingKeepsEachURLOnOneHost() throws {
        let stack = try Stack(workers: 2, hosts: 3, balance: "hash")
        defer { _ = try? stack.stop() }
        #expect(try stack.run("outer-cache", "off").status == 0)
        #expect(try String(contentsOfFile: stack.runDir + "/nginx/upstream.conf", encoding: .utf8).contains("hash $request_uri consistent;"))
        let paths = (1...40).map { "/api/v1/library/artists/\($0 * 7)" }
        var inner: [String: [String]] = [:]
        for _ in 0..<3 {
            for path in paths {
                let response = try Self.get(stack, path, agent: "hash")
                #expect(response.status == 200)
                inner[path, default: []].append(response["x-cache-inner"] ?? "?")
            }
        }
        let logged = Self.logged(stack, agent: "hash", count: 120)
        #expect(logged.count == 120)
        let hostsPerURL = Dictionary(grouping: logged, by: \.uri).mapValues { Set($0.flatMap(\.hosts)) }
        #expect(hostsPerURL.values.allSatisfy { $0.count == 1 }, "\(hostsPerURL.filter { $0.value.count > 1 })")
        #expect(Set(hostsPerURL.values.flatMap { $0 }).count == 3, "the keys are shared out over every host")
        // So each URL misses the inner layer once in the whole cluster.
        #expect(inner.values.allSatisfy { $0 == ["MISS", "HIT", "HIT"] }, "\(inner.filter { $0.value != ["MISS", "HIT", "HIT"] })")

        // A host's pool lets in its nginx address only: the same machine
        // from another of its addresses is closed at once, and logged.
        let cluster = try String(contentsOfFile: stack.runDir + "/cluster.env", encoding: .utf8)
        let number = try #require(cluster.split(separator: "\n").first { $0.hasPrefix("CLUSTER=") }?.dropFirst(8))
        let stranger = try SocketClient(host: "198.18.\(number).6", port: 9000, source: "198.18.\(number).9", timeoutSeconds: 3)
        stranger.send(FastCGIRecords.request(uri: "/api/v1/library/artists/1"))
        #expect(stranger.receiveAll() == ([], true), "not a byte answered")
        #expect(Stack.eventually(within: 3) {
            ((try? String(contentsOfFile: stack.runDir + "/hosts/1/pool.log", encoding: .utf8)) ?? "")
                .contains("refused a connection from 198.18.\(number).9: not an allowed nginx address")
        })
        let refused = try stack.get("/api/v1/system/hosts/1/status").json as? [String: Any]
        #expect(refused?["refused_connections"] as? Int == 1, "counted in the scoreboard too")

        // Each host's own system endpoints, through nginx; the tools sum them.
        let count = try stack.get("/api/v1/system/hosts")
        #expect(count.status == 200 && (count.json as? [String: Int]) == ["hosts": 3])
        for n in 1...3 {
            let status = try stack.get("/api/v1/system/hosts/\(n)/status")
            #expect(status.status == 200 && (status.json as? [String: Any])?["master_pid"] as? Int == stack.hostPoolPID(n).map(Int.init))
        }
        #expect(try stack.get("/api/v1/system/hosts/4/status").status == 404)
        let metrics = try stack.get("/api/v1/system/hosts/2/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("airwave_requests_total{"))
        #expect(try stack.get("/api/v1/system/hosts/1/status%3Fx").status == 404, "nothing encoded reaches the pool decoded")
        #expect(try stack.get("/api/v1/system/hosts/1/cache/clear", method: "POST").status == 403, "another site's form cannot clear it")
        let matrix = try stack.airwave("cache-analysis", "--url", "http://127.0.0.1:\(stack.port)", "--matrix", "--requests", "10",
                                       "--seed", "5", "--stack", Stack.root + "/scripts/stack")
        #expect(matrix.status == 0, "\(matrix.output)")
        #expect(matrix.output.contains("outer off, inner off: overall hit rate 0.0%, checks agree") && !matrix.output.contains("DISAGREE"))
        print(matrix.output.components(separatedBy: "Cache matrix").last ?? "")

        // A read replica rolled out to every host: each one serves the new file at once.
        let replica = stack.runDir + "/replica.db"
        #expect(try Subprocess.run(Stack.binary, ["replicate", stack.database, replica]).status == 0)
        #expect(try Subprocess.run("/usr/bin/sqlite3", [replica, "UPDATE artists SET name = 'Replica Seven' WHERE id = 7"]).status == 0)
        #expect(try stack.cluster("replicate", replica).status == 0)
        var served: [String: Set<String>] = [:]
        for variant in 1...12 {
            let response = try Self.get(stack, "/api/v1/library/artists/7?v=\(variant)", agent: "replica")
            #expect(response.status == 200 && response.text.contains("Replica Seven"), "\(response.text)")
        }
        for line in Self.logged(stack, agent: "replica", count: 12) { served[line.uri, default: []].formUnion(line.hosts) }
        #expect(Set(served.values.flatMap { $0 }).count == 3, "every host answered one of them: \(served)")
    }
}
