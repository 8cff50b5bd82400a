import DemoData
import Foundation
import Store
import Testing

/// The generator: the same seed writes the same library, with every nasty
/// row planted, and the twins added where a test asks.
@Suite struct LibraryGeneratorTests {
    @Test func theSameSettingsWriteTheSameLibrary() throws {
        let a = try TemporaryLibrary(artists: 30, helperIndexes: false), b = try TemporaryLibrary(artists: 30, helperIndexes: false)
        defer { a.remove(); b.remove() }
        let dump = { (path: String) in try Database(path: path).rows("SELECT group_concat(id || name, '|') FROM artists")[0][0] }
        #expect(try dump(a.path) == dump(b.path))
        let works = { (path: String) in try Database(path: path).rows("SELECT count(*), sum(id) FROM works")[0] }
        #expect(try works(a.path) == works(b.path))
    }

    @Test func everyNastyNameIsThereByteForByte() throws {
        let library = try TemporaryLibrary(artists: 20)
        defer { library.remove() }
        let names = try Database(path: library.path).rows("SELECT name FROM artists ORDER BY id LIMIT \(LibraryGenerator.nastyArtistNames.count)")
        #expect(names.map { Array(($0[0] ?? "").utf8) } == LibraryGenerator.nastyArtistNames.map { Array($0.utf8) })
        let report = try Database(path: library.path).inspectSchema()
        #expect(report.isAirWave && report.missingIndexes.isEmpty)
    }

    @Test func twinsAreTwoArtistsWhoseNamesDifferInBytesOnly() throws {
        let library = try TemporaryLibrary(artists: 10, prepare: UnicodeTwins.addArtists(to:))
        defer { library.remove() }
        let rows = try Database(path: library.path).rows("SELECT name FROM artists WHERE name LIKE 'Twin %' ORDER BY id")
        #expect(rows.count == 2 * UnicodeTwins.pairs.count)
        for (index, pair) in UnicodeTwins.pairs.enumerated() {
            let (a, b) = (rows[2 * index][0]!, rows[2 * index + 1][0]!)
            #expect(a == b)  // to Swift's String
            #expect(Array(a.utf8) != Array(b.utf8))
            #expect(a.utf8.elementsEqual("Twin \(pair.composed) \(index)".utf8))
        }
    }
}
