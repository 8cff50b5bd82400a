import Traffic
import Support
import Vocabulary

/// Sends a request plan one at a time on one connection, reads both cache
/// layers' statuses from the headers, and checks that count against the
/// pool's own counters and nginx's access log.
public struct CacheAnalysis {
    public let configuration: AnalysisConfiguration
    public let connection: HTTPConnection

    public init(_ configuration: AnalysisConfiguration) throws(TrafficError) {
        self.configuration = configuration
        connection = try HTTPConnection(configuration.server)
    }

    /// Builds the plan from the server's library, runs it, checks it.
    public func run() throws(TrafficError) -> AnalysisReport {
        let plan = try RequestPlan.load(configuration, connection: connection)
        return try run(plan)
    }

    public func run(_ plan: RequestPlan) throws(TrafficError) -> AnalysisReport {
        // This run's lines in the access log carry their own agent.
        let agent = "\(configuration.userAgent)/\(configuration.seed)-\(SystemClock.now())"
        let log = configuration.accessLog.map(AccessLog.init(path:))
        let logStart = log?.end() ?? 0
        let before: PoolCounters?
        var notes: [String] = []
        do { before = try PoolCounters.read(connection) } catch {
            before = nil
            notes.append("- the pool's counters were not checked: \(error)")
        }

        connection.extraHeaders = ["User-Agent: \(agent)"]
        var observations: [Observation] = []
        observations.reserveCapacity(plan.steps.count)
        for (template, target) in plan.steps {
            let sent = SystemClock.now()
            let response = try connection.request(target)
            observations.append(Observation(template: template, target: target, status: response.status,
                                            nanoseconds: SystemClock.now() - sent, cache: CacheStatus(response)))
        }
        connection.extraHeaders = []

        var poolCheck: PoolCheck?
        if let before {
            do {
                poolCheck = PoolCheck(before: before, after: try PoolCounters.read(connection), observations: observations)
            } catch {
                notes.append("- the pool's counters were not checked: \(error)")
            }
        }
        let logCheck = log.map { AccessLogCheck(log: $0, from: logStart, agent: agent, observations: observations) }
        if log == nil { notes.append("- nginx's access log was not checked (give it with --access-log)") }
        return AnalysisReport(configuration: configuration, observations: observations, pool: poolCheck, log: logCheck, notes: notes)
    }
}
