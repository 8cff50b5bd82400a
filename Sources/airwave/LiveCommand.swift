import ArgumentParser
import Live
import Pool
import Server
import Support

#if canImport(Glibc)
import Glibc
#endif

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Count both cache layers live from nginx's access log, for the page at /live/.",
        discussion: """
        nginx has no cache statistics to ask; it writes each request's X-Cache-Outer and X-Cache-Inner values, the library endpoint and the time to its access log. This process follows that log from its end (through logrotate), counts both layers per endpoint and per second for the last 5 minutes and since it started, and answers GET /api/v1/system/live on a unix socket, which nginx's system location passes on (loopback clients only, with the stack's secret). With --stack, POST /api/v1/system/live/outer-cache/on|off|clear runs `STACK outer-cache on|off|clear`, one at a time. `make up` starts it; it stops on SIGTERM or SIGINT.

        Started by root, the socket is 0660 for --user's group (nginx's workers); otherwise 0600.
        """
    )

    @Option(help: "The stack's run folder. [AIRWAVE_RUN_DIR, default run]")
    var runDir: String?

    @Option(help: "The socket to listen on (default: RUN/live.sock).")
    var socket: String?

    @Option(help: ArgumentHelp("nginx's access log (default: RUN/logs/access.log).", valueName: "file"))
    var accessLog: String?

    @Option(help: "The secret nginx's system location sends (default: RUN/system.secret). [AIRWAVE_SYSTEM_SECRET_FILE]")
    var systemSecretFile: String?

    @Option(help: ArgumentHelp("The stack script the outer cache's buttons run (none: they are refused).", valueName: "path"))
    var stack: String?

    @Option(help: "When started by root: the user whose group (nginx's workers') may connect. [AIRWAVE_USER, default airwave]")
    var user: String?

    @Option(help: "Write this process's pid here (removed on exit).")
    var pidFile: String?

    func run() throws {
        let source = SettingsSource.process
        let run = runDir ?? source.string("AIRWAVE_RUN_DIR") ?? "run"
        var configuration = LiveServer.Configuration(socketPath: socket ?? run + "/live.sock",
                                                     accessLog: accessLog ?? run + "/logs/access.log", runDir: run)
        configuration.stackScript = stack
        let secretFile = systemSecretFile ?? source.string("AIRWAVE_SYSTEM_SECRET_FILE") ?? run + "/system.secret"
        configuration.secret = try SystemSecret.load(from: secretFile)
        if geteuid() == 0 { configuration.socketGroup = try SystemUser.named(user ?? source.string("AIRWAVE_USER") ?? "airwave").gid }
        configuration.pidFile = pidFile
        try LiveServer(configuration).run()
    }
}
