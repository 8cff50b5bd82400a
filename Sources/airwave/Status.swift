import ArgumentParser
import Cache
import Pool
import Server
import Support

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the pool's workers and counters, read straight from its scoreboard.",
        discussion: """
        Reads the shared memory the pool writes (RUN/pool.scoreboard), not the HTTP endpoint: it
        answers even when every worker is busy or stuck. The same data as JSON:
        GET /api/v1/system/status, or --json.
        """
    )

    @Option(help: "The stack's run folder. [AIRWAVE_RUN_DIR, default run]")
    var runDir: String?

    @Option(help: "The scoreboard file (default: RUN/pool.scoreboard).")
    var scoreboard: String?

    @Flag(help: "Print JSON, as the status endpoint does.")
    var json = false

    func run() throws {
        let path = scoreboard ?? (runDir ?? SettingsSource.process.string("AIRWAVE_RUN_DIR") ?? "run") + "/pool.scoreboard"
        let board: Scoreboard
        do { board = try Scoreboard.open(path: path) } catch { throw ValidationError("\(error)") }
        let snapshot = board.snapshot()
        if json {
            print(String(decoding: StatusReport.json(snapshot), as: UTF8.self))
            return
        }
        // The pool's own cache counters, read from its shared memory.
        let cache = board.cacheDescriptor.flatMap { descriptor in
            (try? SharedMemory(process: snapshot.masterPID, descriptor: descriptor)).flatMap(SharedCache.counters(in:))
        }
        print(StatusReport.text(snapshot, cache: cache, cacheOn: board.cacheDescriptor != nil))
    }
}
