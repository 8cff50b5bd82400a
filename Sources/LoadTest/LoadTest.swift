import Dispatch
import Foundation
import Synchronization
import Traffic
import Support

/// Runs simulated users against the server, each on its own thread and its
/// own kept-alive connection, and reports what they waited.
public final class LoadTest: Sendable {
    public let configuration: LoadTestConfiguration
    public let catalog: Catalog
    private let popularity: Popularity<Int>
    private let live = LiveCounters()
    private let results = Mutex<Recorder>(Recorder())

    /// Reads the artist list from the server (the ids to browse).
    public convenience init(_ configuration: LoadTestConfiguration) throws(TrafficError) {
        let connection = try HTTPConnection(configuration.server, timeoutSeconds: configuration.timeoutSeconds)
        try self.init(configuration, catalog: Catalog.load(from: connection))
    }

    public init(_ configuration: LoadTestConfiguration, catalog: Catalog) {
        self.configuration = configuration
        self.catalog = catalog
        popularity = Popularity(Array(catalog.artistIDs.indices), seed: configuration.seed)
    }

    /// Runs the test; `progress` is called about once a second on the
    /// calling thread with what happened so far.
    public func run(progress: (LoadProgress) -> Void = { _ in }) -> LoadReport {
        let start = SystemClock.now()
        let end = start + UInt64(configuration.duration * 1e9)
        let group = DispatchGroup()
        for user in 0..<configuration.users {
            group.enter()
            let thread = Thread { [self] in
                simulate(user: user, start: start, end: end)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        while group.wait(timeout: .now() + 1) == .timedOut {
            progress(LoadProgress(elapsed: Double(SystemClock.now() - start) / 1e9, requests: live.requests.load(ordering: .relaxed),
                              errors: live.errors.load(ordering: .relaxed)))
        }
        // The test lasted its duration at least, however early the last answer came.
        let wall = max(configuration.duration, Double(SystemClock.now() - start) / 1e9)
        let unsent: Int
        if case .rate(let perSecond) = configuration.pacing {
            // Due before the end but never started: the server fell behind.
            let due = Int((configuration.duration * perSecond).rounded(.up))
            unsent = max(0, due - live.tickets.load(ordering: .relaxed))
        } else {
            unsent = 0
        }
        return LoadReport(configuration: configuration, catalogSize: catalog.artistIDs.count,
                          recorder: results.withLock { $0 }, wallSeconds: wall, unsent: unsent)
    }

    private func simulate(user: Int, start: UInt64, end: UInt64) {
        var browser = Browser(catalog: catalog, popularity: popularity, seed: configuration.seed &+ UInt64(user + 1) &* 0x9E37_79B9)
        var random = RandomSource(seed: configuration.seed ^ UInt64(user + 1) &* 0xBF58_476D)
        var recorder = Recorder()
        defer { results.withLock { $0.add(recorder) } }
        guard let connection = try? HTTPConnection(configuration.server, timeoutSeconds: configuration.timeoutSeconds) else { return }
        connection.extraHeaders = ["User-Agent: airwave-load-test"]
        var due = start
        if case .think(let range) = configuration.pacing, range.upperBound > 0 {
            // Users arrive spread over their first think time, not all at once.
            due += UInt64(random.unit() * range.upperBound * 1e9)
        }
        while true {
            if case .rate(let perSecond) = configuration.pacing {
                let ticket = live.tickets.wrappingAdd(1, ordering: .relaxed).oldValue
                due = start + UInt64(Double(ticket) * 1e9 / perSecond)
            }
            // Nothing starts after the end: not a request due before it
            // that the server kept a user from sending (counted as unsent).
            guard due < end, SystemClock.now() < end else {
                if case .rate = configuration.pacing { live.tickets.wrappingSubtract(1, ordering: .relaxed) }
                return
            }
            SystemClock.sleep(until: due)
            let (template, target) = browser.next()
            let sent = SystemClock.now()
            var failed = false
            do {
                let response = try connection.request(target)
                let done = SystemClock.now()
                recorder.answered(template, response, due: due, sent: sent, done: done)
                browser.saw(template, response)
                if response.status >= 400 { live.errors.add(1, ordering: .relaxed) }
            } catch {
                recorder.failed(template, error)
                live.errors.add(1, ordering: .relaxed)
                failed = true
            }
            live.requests.add(1, ordering: .relaxed)
            if case .think(let range) = configuration.pacing {
                // The Python version's user thinks once per visit, after its last click.
                let think = browser.visitEnded ? range.lowerBound + random.unit() * (range.upperBound - range.lowerBound) : 0
                // A refused connection answers at once: do not spin on it.
                due = SystemClock.now() + UInt64(max(think, failed ? 0.01 : 0) * 1e9)
            }
        }
    }
}

/// Counters the progress line reads while the users run.
final class LiveCounters: Sendable {
    let requests = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    /// Open loop: how many due times have been handed out.
    let tickets = Atomic<Int>(0)
}

/// The progress line's figures.
public struct LoadProgress: Sendable {
    public var elapsed: Double
    public var requests: Int
    public var errors: Int
}
