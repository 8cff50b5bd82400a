import ArgumentParser
import Store
import Support

struct Replicate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Swap a consistent copy of a library in for the file the pool serves (a read replica), without stopping it.",
        discussion: """
        Copies SRC with SQLite's online backup API (one read transaction: a consistent snapshot, \
        even while other programs read or write SRC; a writer in rollback-journal mode waits for \
        the copy) into a temporary file in DEST's folder, checks it (PRAGMA quick_check and the \
        pool's Air-Wave schema check), sets it to rollback-journal mode, fsyncs it, gives it the \
        mode, owner and group of the DEST it replaces (so the pool's worker user can still read \
        it; a new DEST gets 0666 less the umask) and renames it over DEST in one step. Nothing \
        at DEST changes unless every step succeeded.

        Every worker of a pool serving DEST notices the new file before its next answer, opens \
        it, and drops what it derived from the old one (the inner cache, the artist facts). \
        Requests in flight finish on the old file; none fails, none mixes the two.

        Example: airwave replicate /srv/primary/airwave.db run/library.db
        """
    )

    @Argument(help: "The library to copy (any SQLite file with the Air-Wave schema; it may be in use).")
    var source: String

    @Argument(help: "The database path the pool serves (AIRWAVE_DB), replaced atomically.")
    var destination: String

    func run() throws {
        let report = try Replica.make(from: source, to: destination)
        print("""
            replicated \(report.source) -> \(report.destination): \(Format.count(report.bytes)) bytes, \
            \(Format.count(report.pages)) pages of \(report.pageSize) bytes; \
            copy \(Format.milliseconds(report.copyNanoseconds)) ms, check \(Format.milliseconds(report.checkNanoseconds)) ms, \
            total \(Format.milliseconds(report.totalNanoseconds)) ms; \
            mode \(String(report.mode, radix: 8)) uid \(report.owner) gid \(report.group)\(report.replaced ? "" : " (new file)")
            """)
        for index in report.missingIndexes {
            print("note: the copy has no index on \(index.table)(\(index.column)), as its source; add it there with `airwave prepare-db \(report.source)`")
        }
    }
}
