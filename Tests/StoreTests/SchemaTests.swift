import DemoData
import Foundation
@testable import Store
import Testing

@Suite struct SchemaTests {
    /// With the helper indexes, no query walks a whole big table: every
    /// access to works, work_artists, recordings and library_files is a SEARCH.
    @Test(arguments: Queries.all.map(\.name))
    func noFullScanOfBigTables(query: String) throws {
        let db = try Database(path: Fixtures.library)
        let sql = Queries.all.first { $0.name == query }!.sql
        let plan = try db.rows("EXPLAIN QUERY PLAN " + sql).map { $0[3] ?? "" }
        let bigTables: Set<String> = ["works", "work_artists", "recordings", "library_files", "w", "wa", "r", "f"]
        for line in plan where line.hasPrefix("SCAN ") {
            let table = String(line.dropFirst(5).prefix { $0 != " " })
            #expect(!bigTables.contains(table), "\(query): \(line)")
        }
        #expect(!plan.isEmpty)
    }

    @Test func missingHelperIndexesAreReportedAndAdded() throws {
        let path = try Self.freshLibrary(helperIndexes: false)
        let db = try Database(path: path, mode: .readWrite)
        let before = try db.inspectSchema()
        #expect(before.isAirWave)
        #expect(before.missingIndexes.map(\.createStatement) == [
            "CREATE INDEX IF NOT EXISTS ix_library_files_recording_id ON library_files (recording_id);",
            "CREATE INDEX IF NOT EXISTS ix_work_artists_artist_id ON work_artists (artist_id);",
        ])
        #expect(try db.addHelperIndexes().count == 2)
        #expect(try db.inspectSchema().missingIndexes.isEmpty)
        #expect(try db.addHelperIndexes().isEmpty)
    }

    @Test func anIndexOfAnotherNameCounts() throws {
        let path = try Self.freshLibrary(helperIndexes: false)
        let db = try Database(path: path, mode: .readWrite)
        try db.execute("CREATE INDEX my_own ON work_artists (artist_id, work_id)")
        #expect(try db.inspectSchema().missingIndexes.map(\.table) == ["library_files"])
    }

    @Test func otherSchemasAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID()).db").path
        let db = try Database(path: path, mode: .create)
        try db.execute("CREATE TABLE artists (id INTEGER PRIMARY KEY, title TEXT)")
        let report = try db.inspectSchema()
        #expect(!report.isAirWave)
        #expect(report.missingColumns.contains("artists.name"))
        #expect(report.missingColumns.contains("works.title"))
    }

    @Test func readOnlyStoreNeverWrites() throws {
        let path = try Self.freshLibrary(helperIndexes: false)
        let store = try LibraryStore(path: path)
        #expect(throws: DatabaseError.self) { try store.database.execute("CREATE INDEX x ON works (is_instrumental)") }
    }

    static func freshLibrary(helperIndexes: Bool) throws -> String {
        try TemporaryLibrary(artists: 30, helperIndexes: helperIndexes, name: "schema").path
    }
}
