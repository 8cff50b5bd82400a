import Foundation
import Testing

/// The guide's five alerts and AirwaveDown (conf/prometheus/alerts.yml) under promtool: the
/// rules load, their unit tests (alerts.test.yml) pass, and those tests
/// notice when a threshold moves.
@Suite struct AlertRulesTests {
    static let directory = Stack.root + "/conf/prometheus"
    static let promtool = "/usr/bin/promtool"

    func promtool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool is missing: scripts/install-deps --tests installs it")
        return try Subprocess.run(Self.promtool, arguments)
    }

    @Test func theRulesLoadAndTheirTestsPass() throws {
        let check = try promtool(["check", "rules", Self.directory + "/alerts.yml"])
        #expect(check.status == 0 && check.output.contains("SUCCESS: 6 rules found"), "\(check.output)")
        let test = try promtool(["test", "rules", Self.directory + "/alerts.test.yml"])
        #expect(test.status == 0 && test.output.contains("SUCCESS"), "\(test.output)")
    }

    /// Each alert's threshold, moved, makes its test fail: the tests pin the guide's numbers.
    @Test func theTestsPinEachThreshold() throws {
        let rules = try String(contentsOfFile: Self.directory + "/alerts.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: Self.directory + "/alerts.test.yml", encoding: .utf8)
        let thresholds = ["          ) > 0.2\n", "          > 0.001\n", "          < 0.5\n", "          > 0.8\n"]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("airwave-alerts-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try tests.write(toFile: folder + "/alerts.test.yml", atomically: true, encoding: .utf8)
        var mutants = 0
        for threshold in thresholds {
            var searchFrom = rules.startIndex
            while let range = rules.range(of: threshold, range: searchFrom..<rules.endIndex) {
                searchFrom = range.upperBound
                let moved = threshold.replacingOccurrences(of: "0.", with: "0.9")  // 0.2 → 0.92, 0.001 → 0.9001, …
                try rules.replacingCharacters(in: range, with: moved).write(toFile: folder + "/alerts.yml", atomically: true, encoding: .utf8)
                let result = try promtool(["test", "rules", folder + "/alerts.test.yml"])
                #expect(result.status != 0 && result.output.contains("FAILED"), "threshold \(threshold) moved, yet: \(result.output)")
                mutants += 1
            }
        }
        #expect(mutants == 5)
    }
}
