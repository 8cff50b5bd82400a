import Testing
import Traffic
import TrafficTesting

@Suite struct CatalogTests {
    @Test func readsEveryPageOfTheArtistList() throws {
        // 1,000 artists on the first page, 5 on the second: the end.
        let stub = try StubServer { request in
            let skip = request.target.contains("skip=0&") ? 0 : request.target.contains("skip=1000&") ? 1000 : -1
            let ids = skip == 0 ? Array(1...1000) : skip == 1000 ? Array(5001...5005) : []
            return .init(body: "[" + ids.map { #"{"id":\#($0),"name":"a"}"# }.joined(separator: ",") + "]")
        }
        defer { stub.stop() }
        let catalog = try Catalog.load(from: HTTPConnection(stub.url))
        #expect(catalog.artistIDs.count == 1005 && catalog.artistIDs.last == 5005)
        #expect(stub.requestCount == 2)
        let capped = try Catalog.load(from: HTTPConnection(stub.url), limit: 10)
        #expect(capped.artistIDs == Array(1...10).map(Int64.init))
    }

    @Test func anEmptyLibraryOrAnErrorIsSaid() throws {
        let empty = try StubServer { _ in .init(body: "[]") }
        defer { empty.stop() }
        #expect(throws: TrafficError.self) { try Catalog.load(from: HTTPConnection(empty.url)) }
        let failing = try StubServer { _ in .init(status: 503, body: #"{"detail":"down"}"#) }
        defer { failing.stop() }
        do {
            _ = try Catalog.load(from: HTTPConnection(failing.url))
            Issue.record("a 503 was read as a library")
        } catch {
            #expect(error.description.contains("answered 503"), "\(error)")
        }
    }
}
