import ArgumentParser
import Server
import Logging

#if canImport(Glibc)
import Glibc
#endif

@main
struct Airwave: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airwave",
        abstract: "Serve an Air-Wave music library's navigation API as a FastCGI worker pool.",
        discussion: """
        The pool answers on a unix socket behind nginx (see conf/nginx and the README's `make up`). Every setting is a flag; most can also come from the environment (see each subcommand's --help).
        """,
        subcommands: [Serve.self, LiveCommand.self, Status.self, Generate.self, PrepareDB.self, Replicate.self, Measure.self, LoadTestCommand.self, CacheAnalysisCommand.self]
    )

    static func main() {
        let level = SettingsSource.process.string("AIRWAVE_LOG_LEVEL").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
