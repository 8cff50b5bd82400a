import ArgumentParser
import Foundation
import LoadTest
import Traffic
import Support

struct LoadTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "Simulate users browsing the library through nginx and report what they waited.",
        discussion: """
        Each user browses as the Python version's load_test.py does: the artist list, an artist, their works \
        (limit=24), one of those works, its recordings (limit=100), and half the time the recordings \
        again with a random status and source; then it thinks 1-3 s before the next visit. Artists are drawn from \
        the server's own list, skewed: a few popular ones, a long tail.

        Latency is counted from when a request was due, not when it was sent, so a stalled server \
        shows in the percentiles (no coordinated omission); rates are over the test's wall time. \
        Modes: the default think time; --think 0 (closed loop, as fast as answers come); \
        --rate R (open loop: R requests per second in all, whatever the server does).

        Exit status: 0; 1 when a --fail-on threshold was crossed; 2 when the server could not be \
        reached or read; 64 for options it cannot use. Examples:
          airwave load-test                      # the guide's test: 10 users, 60 s
          airwave load-test --users 32 --think 0 --duration 20
          airwave load-test --rate 2000 --users 64 --duration 30 --json run/load.json
          airwave load-test --duration 30 --fail-on "p95>50ms,errors>0.1%"
        """
    )

    @Option(help: "Simulated users, each with its own connection.")
    var users = 10

    @Option(help: "Seconds of traffic.")
    var duration: Double = 60

    @Option(help: "The server (nginx in front of the pool).")
    var url = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Seconds a user thinks after each visit: a range (1-3), a number, or 0 for a closed loop.", valueName: "seconds"))
    var think: String?

    @Option(help: ArgumentHelp("Open loop: requests per second in all, due on a fixed schedule (instead of think time).", valueName: "R"))
    var rate: Double?

    @Option(help: "Seed for the artists drawn and the choices made (default: random, printed).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Write the whole report as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Exit 1 when any of these holds on the totals, e.g. \"p95>50ms,errors>0.1%\". Metrics: avg min p50 p90 p95 p99 p99.9 max (ms, s, us), errors (count or %), rps, outer_hit_rate, inner_hit_rate (%).", valueName: "conditions"))
    var failOn: String?

    @Option(help: "Seconds before a request without a complete answer counts as an error.")
    var timeout = 30

    func validate() throws {
        guard (1...10_000).contains(users) else { throw ValidationError("--users must be from 1 to 10000") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be more than 0 and at most 86400 seconds") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        if let rate { guard rate > 0, rate <= 1_000_000 else { throw ValidationError("--rate must be more than 0 and at most 1000000") } }
        if rate != nil && think != nil { throw ValidationError("--rate and --think are two different modes: give one") }
        if let think, Pacing.parseThink(think) == nil {
            throw ValidationError("--think \(think): expected seconds as 0, 2 or a range like 1-3")
        }
        if let json {
            let folder = URL(fileURLWithPath: json).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw ValidationError("--json \(json): cannot write in \(folder)")
            }
        }
        do {
            _ = try ServerURL(url)
            if let failOn { _ = try Threshold.parseList(failOn) }
        } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        var configuration = LoadTestConfiguration(server: try ServerURL(url))
        configuration.users = users
        configuration.duration = duration
        configuration.timeoutSeconds = timeout
        configuration.seed = seed ?? UInt64.random(in: 1...999_999)
        if let rate { configuration.pacing = .rate(rate) }
        if let think { configuration.pacing = .think(Pacing.parseThink(think)!) }
        let thresholds = try failOn.map { text throws(TrafficError) in try Threshold.parseList(text) } ?? []

        let test: LoadTest
        do { test = try LoadTest(configuration) } catch {
            printError("load-test: \(error)")
            throw ExitCode(2)
        }
        print("Load test: \(users) users, \(configuration.pacing), \(Format.fixed(duration, 0)) s against \(configuration.server) "
              + "(\(Format.count(test.catalog.artistIDs.count)) artists, seed \(configuration.seed))")
        fflush(nil)
        let progress = ProgressLine()
        let report = test.run { progress.show($0, duration: duration) }
        progress.finish()
        print(report.text())

        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var data = try encoder.encode(report)
            data.append(0x0A)
            do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                printError("load-test: cannot write \(json): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            print("\nReport written to \(json)")
        }
        let crossed = thresholds.filter { $0.isCrossed(by: report) }
        if !thresholds.isEmpty {
            print("")
            for threshold in thresholds {
                let value = threshold.measured(in: report).map { Format.fixed($0 * (threshold.isPercent ? 100 : 1), 2) } ?? "n/a"
                print("\(crossed.contains(threshold) ? "✗ FAILED" : "✓ passed") --fail-on \(threshold): measured \(value)")
            }
        }
        if !crossed.isEmpty { throw ExitCode(1) }
    }
}

/// One line that rewrites itself on a terminal; a line every 10 s otherwise.
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var last = (elapsed: 0.0, requests: 0)
    private var lastPrinted = 0.0

    func show(_ p: LoadProgress, duration: Double) {
        let rate = Double(p.requests - last.requests) / max(p.elapsed - last.elapsed, 1e-9)
        last = (p.elapsed, p.requests)
        let line = "  \(Format.fixed(min(p.elapsed, duration), 0))/\(Format.fixed(duration, 0)) s  \(Format.count(p.requests)) requests  \(Format.count(Int(rate.rounded()))) req/s  \(Format.count(p.errors)) errors"
        if isTerminal {
            printError("\r\u{1B}[K" + line, newline: false)
        } else if p.elapsed - lastPrinted >= 10 {
            lastPrinted = p.elapsed
            printError(line)
        }
    }

    func finish() { if isTerminal { printError("\r\u{1B}[K", newline: false) } }
}
