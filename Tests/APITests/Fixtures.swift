@testable import API
import Cache
import CacheTesting
import DemoData
import Foundation
import Store

/// A generated library in a fresh temporary file, and an API over it.
struct Fixture {
    let path: String
    let clock = ManualClock()
    let api: LibraryAPI

    /// `prepare` changes the generated file before the API opens it.
    init(innerCache: Bool = true, artists: Int = 40, prepare: (String) throws -> Void = { _ in }) throws {
        path = try TemporaryLibrary(artists: artists, prepare: prepare).path
        let store = try LibraryStore(path: path)
        api = LibraryAPI(store: store, cache: innerCache ? try SharedCache(now: clock.source) : nil)
    }

    func get(_ uri: String, method: String = "GET") -> Response { api.respond(method: method, uri: uri) }

    /// The body parsed as JSON.
    func json(_ uri: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(get(uri).body), options: [.fragmentsAllowed]) }

    static let base = "/api/v1/library"

    /// Every byte of `text` percent-encoded: a query value that says exactly these bytes.
    static func percentEncoded(_ text: some Sequence<UInt8>) -> String { text.map { String(format: "%%%02X", $0) }.joined() }
}

extension Response {
    var text: String { String(decoding: body, as: UTF8.self) }
    var detail: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["detail"] as? String
    }
}
