import Foundation
import Vocabulary

/// The ids the tools browse, read from the server itself: every artist in
/// the library (pages of 1,000), so any Air-Wave database works unchanged.
public struct Catalog: Sendable {
    public var artistIDs: [Int64]

    public init(artistIDs: [Int64]) { self.artistIDs = artistIDs }

    /// Reads up to `limit` artist ids, page by page, in the API's name order.
    public static func load(from connection: HTTPConnection, limit: Int = 100_000) throws(TrafficError) -> Catalog {
        var ids: [Int64] = []
        let page = 1000
        while ids.count < limit {
            let target = Paths.artists(skip: ids.count, limit: page)
            let response = try connection.request(target)
            guard response.status == 200 else {
                throw TrafficError("GET \(target) answered \(response.status): \(response.text.prefix(200))")
            }
            let found = try Self.ids(in: response, target)
            ids += found
            if found.count < page { break }
        }
        guard !ids.isEmpty else { throw TrafficError("the library at \(connection.server) has no artists to browse") }
        return Catalog(artistIDs: Array(ids.prefix(limit)))
    }

    /// The `id` of every object in a JSON array answer.
    public static func ids(in response: HTTPResponse, _ target: String) throws(TrafficError) -> [Int64] {
        guard let items = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else {
            throw TrafficError("GET \(target): the answer is not a JSON array of objects")
        }
        return items.compactMap { ($0["id"] as? NSNumber)?.int64Value }
    }
}
