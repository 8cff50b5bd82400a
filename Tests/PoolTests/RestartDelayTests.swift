import FastCGI
@testable import Pool
import Testing

/// A worker that keeps dying before it is ready is started again more and
/// more slowly; one that was ready is replaced at once.
@Suite struct RestartDelayTests {
    @Test func restartsSlowDownWhenAWorkerKeepsCrashing() {
        var configuration = PoolConfiguration(listen: .unix(path: "/tmp/unused.sock"))
        configuration.maxRestartDelay = .seconds(30)
        let pool = Pool(configuration: configuration, logger: .init(label: "test")) { _ in { _ in FastCGIResponse(head: [], body: []) } }
        #expect(pool.restartDelay(afterStartFailures: 0) == .zero)
        #expect(pool.restartDelay(afterStartFailures: 1) == .milliseconds(100))
        #expect(pool.restartDelay(afterStartFailures: 2) == .milliseconds(200))
        #expect(pool.restartDelay(afterStartFailures: 5) == .milliseconds(1600))
        #expect(pool.restartDelay(afterStartFailures: 50) == .seconds(30))
    }
}
