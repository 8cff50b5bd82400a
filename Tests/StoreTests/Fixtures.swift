import DemoData
import Foundation
@testable import Store

/// Generated libraries, written once per test process into a temporary folder.
enum Fixtures {
    /// A small library (120 artists: about 1.4k works, 7k recordings) with every nasty row.
    static let library: String = {
        try! TemporaryLibrary(artists: 120, name: "store").path
    }()

    static let oracle: Oracle = try! Oracle(Database(path: library))

    /// A store over the fixture; `bigArtistWorks` decides which artists take
    /// the kept-facts path (1: all of them; Int.max: none).
    static func store(bigArtistWorks: Int, artistFacts: ArtistFacts? = nil) throws -> LibraryStore {
        var configuration = LibraryStore.Configuration()
        configuration.bigArtistWorks = bigArtistWorks
        return try LibraryStore(path: library, configuration: configuration, artistFacts: artistFacts)
    }

    /// The ways the store can answer: SQL only, every artist's totals kept
    /// per worker, or the pool's artist facts.
    enum Path: String, CaseIterable, Sendable {
        case sql, bigArtistFacts, artistFacts

        func store() throws -> LibraryStore {
            switch self {
            case .sql: try Fixtures.store(bigArtistWorks: Int.max)
            case .bigArtistFacts: try Fixtures.store(bigArtistWorks: 1)
            case .artistFacts: try Fixtures.store(bigArtistWorks: Int.max, artistFacts: ArtistFacts(capacity: 1000))
            }
        }
    }
}
