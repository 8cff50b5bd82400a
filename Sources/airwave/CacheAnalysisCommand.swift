import ArgumentParser
import Server
import CacheAnalysis
import Foundation
import Traffic

struct CacheAnalysisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-analysis",
        abstract: "Measure each cache layer from the response headers, and check the count against the pool and nginx.",
        discussion: """
        Sends --requests requests to each library endpoint, one at a time, drawn with a skew from \
        --working-set ids per endpoint taken from the server's own library (the same seed sends the \
        same sequence). Each answer's X-Cache-Outer and X-Cache-Inner say which layer served it: \
        nothing is guessed from timing. The outer layer (nginx) is judged on every request, the inner \
        layer (the pool's one cache) only on those that reached a worker.

        Caches keep what earlier traffic left: --cold empties both layers first.

        Then it checks itself: the pool's counters (GET /api/v1/system/cache/stats and /status, read \
        before and after) and nginx's access log (the lines of this run) must agree with the headers.

        --matrix runs the four configurations (outer on/off x inner on/off) with the project's own \
        commands (scripts/stack outer-cache, inner-cache), each from cold caches, prints them side \
        by side, then restores the layers as they were. It reloads the pool: use it on a test stack.

        Exit status: 0; 1 when a check found the counts disagree; 2 when the server could not be \
        reached or read; 64 for options it cannot use.
        """
    )

    @Option(help: "Requests per endpoint.")
    var requests = 50

    @Option(help: "The server (nginx in front of the pool).")
    var url = "http://127.0.0.1:8080"

    @Option(help: "Distinct ids each endpoint's requests are drawn from.")
    var workingSet = 10

    @Option(help: "Seed for the ids and their order (default: random, printed).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("nginx's access log to check against. [default: RUN/logs/access.log when it exists, RUN from AIRWAVE_RUN_DIR or ./run]", valueName: "file"))
    var accessLog: String?

    @Flag(help: "Empty both layers first (with the stack script and POST /api/v1/system/cache/clear), for figures from cold caches.")
    var cold = false

    @Flag(help: "Run all four layer configurations and compare them (each from cold caches).")
    var matrix = false

    @Option(help: ArgumentHelp("The stack script --matrix and --cold use.", valueName: "path"))
    var stack = "scripts/stack"

    func validate() throws {
        guard (1...100_000).contains(requests) else { throw ValidationError("--requests must be from 1 to 100000") }
        guard (1...100_000).contains(workingSet) else { throw ValidationError("--working-set must be from 1 to 100000") }
        do { _ = try ServerURL(url) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        var configuration = AnalysisConfiguration(server: try ServerURL(url))
        configuration.requests = requests
        configuration.workingSet = workingSet
        configuration.seed = seed ?? UInt64.random(in: 1...999_999)
        let defaultLog = (SettingsSource.process.string("AIRWAVE_RUN_DIR") ?? "run") + "/logs/access.log"
        configuration.accessLog = accessLog ?? (FileManager.default.fileExists(atPath: defaultLog) ? defaultLog : nil)
        if let log = configuration.accessLog, !FileManager.default.isReadableFile(atPath: log) {
            throw ValidationError("--access-log \(log): cannot read it")
        }
        do {
            let analysis = try CacheAnalysis(configuration)
            if matrix {
                let results = try Matrix(stack: try StackControl(script: stack), analysis: analysis).run { print($0) }
                print("")
                for (configuration, report) in results {
                    print("── \(configuration)")
                    print(report.text())
                    print("")
                }
                print(Matrix.text(results))
                if results.contains(where: { !$0.1.checksAgree }) { throw ExitCode(1) }
            } else {
                if cold { try StackControl(script: stack).clearCaches(analysis.connection) }
                let report = try analysis.run()
                print(report.text())
                if !report.checksAgree { throw ExitCode(1) }
            }
        } catch let error as TrafficError {
            printError("cache-analysis: \(error)")
            throw ExitCode(2)
        }
    }
}
