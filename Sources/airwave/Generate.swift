import ArgumentParser
import DemoData
import Store
import Support

#if canImport(Glibc)
import Glibc
#endif

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a deterministic demo/benchmark Air-Wave library (SQLite).",
        discussion: """
        small: ≈1k artists, 12k works, 57k recordings (tests, demo).
        large: ≈30k artists, 350k works, 1.7M recordings, 1M files (benchmarks).
        The same size and seed always write the same library.
        """
    )

    enum Size: String, ExpressibleByArgument, CaseIterable { case small, large }

    @Argument(help: "The database file to create (must not exist).")
    var path: String

    @Option(help: "small or large.")
    var size: Size = .small

    @Option(help: "Override the number of artists (works, recordings and files scale with it).")
    var artists: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Flag(help: "Also create the helper indexes (as prepare-db would).")
    var helperIndexes = false

    @Flag(help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        if access(path, F_OK) == 0 {
            guard force else { throw ValidationError("\(path) exists; pass --force to replace it") }
            unlink(path)
        }
        var configuration: LibraryGenerator.Configuration = size == .small ? .small : .large
        if let artists {
            guard artists >= 20 else { throw ValidationError("--artists must be at least 20") }
            configuration.artists = artists
        }
        configuration.seed = seed
        configuration.helperIndexes = helperIndexes
        let started = SystemClock.now()
        // Write to a temporary name: an interrupted run leaves no half library behind.
        let partial = path + ".partial"
        unlink(partial)
        let summary = try LibraryGenerator(configuration).write(to: partial)
        guard rename(partial, path) == 0 else { throw ValidationError("cannot rename \(partial) to \(path)") }
        let seconds = Double(SystemClock.now() - started) / 1e9
        print("wrote \(path): \(summary) in \(Int(seconds * 10) / 10).\(Int(seconds * 10) % 10) s")
    }
}
