import ArgumentParser
import Store

struct PrepareDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-db",
        abstract: "Add the helper indexes the navigation queries need (the only write airwave makes).",
        discussion: """
        Air-Wave declares no index on library_files(recording_id) nor on work_artists(artist_id).
        This creates them when no index leads with those columns, and changes nothing else.
        Safe to run on a live database: SQLite takes a write lock for the few seconds it needs.
        """
    )

    @Argument(help: "The Air-Wave database file.")
    var path: String

    @Flag(help: "Only list what is missing; write nothing.")
    var dryRun = false

    func run() throws {
        let db = try Database(path: path, mode: dryRun ? .readOnly : .readWrite)
        let report = try db.inspectSchema()
        guard report.isAirWave else {
            throw ValidationError("\(path) is not an Air-Wave library: missing \(report.missingColumns.joined(separator: ", "))")
        }
        if report.missingIndexes.isEmpty {
            print("\(path): every helper index is present; nothing to do")
            return
        }
        for index in report.missingIndexes {
            if dryRun {
                print("missing: \(index.createStatement)")
            } else {
                try db.execute(index.createStatement)
                print("created: \(index.createStatement)")
            }
        }
    }
}
