import Cache

/// The request kinds the tools report on, named as the seed's tables name them.
public enum Template: String, CaseIterable, Sendable, Codable {
    case artists = "GET /artists"
    case artist = "GET /artists/{id}"
    case artistWorks = "GET /artists/{id}/works"
    case work = "GET /works/{id}"
    case recordings = "GET /works/{id}/recordings"
    /// Recordings again with a `status` and `source` filter.
    case filteredRecordings = "GET /works/{id}/recordings (*)"

    /// The API's endpoint: its inner-cache counters in `cache/stats`.
    public var endpoint: Endpoint {
        switch self {
        case .artists: .artists
        case .artist: .artist
        case .artistWorks: .artistWorks
        case .work: .work
        case .recordings, .filteredRecordings: .workRecordings
        }
    }

    /// The endpoint's name in `GET /api/v1/system/cache/stats`.
    public var cacheStatsName: String { endpoint.rawValue }
}

/// Paths of the library API, relative to the server URL.
public enum LibraryPath {
    public static let base = "/api/v1/library"
    public static func artists(skip: Int, limit: Int) -> String { "\(base)/artists?skip=\(skip)&limit=\(limit)" }
    public static func artist(_ id: Int64) -> String { "\(base)/artists/\(id)" }
    public static func artistWorks(_ id: Int64, limit: Int = 24) -> String { "\(base)/artists/\(id)/works?limit=\(limit)" }
    public static func work(_ id: Int64) -> String { "\(base)/works/\(id)" }
    public static func recordings(_ id: Int64, limit: Int = 100) -> String { "\(base)/works/\(id)/recordings?limit=\(limit)" }
    public static func recordings(_ id: Int64, status: String, source: String, limit: Int = 100) -> String {
        "\(base)/works/\(id)/recordings?limit=\(limit)&status=\(status)&source=\(source)"
    }
    public static let statuses = ["all", "matched", "unmatched"]
    public static let sources = ["all", "library", "metadata"]
}
