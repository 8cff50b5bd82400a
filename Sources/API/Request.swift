import Vocabulary

/// A parsed library request: which endpoint, with every parameter validated
/// and defaults filled in.
public enum LibraryRequest: Equatable, Sendable {
    /// `search` is UTF-8 bytes: compared, keyed and sent to SQLite as bytes.
    case artists(skip: Int64, limit: Int, search: [UInt8])
    case artist(id: Int64)
    case artistWorks(id: Int64, skip: Int64, limit: Int)
    case work(id: Int64)
    case workRecordings(id: Int64, skip: Int64, limit: Int, status: StatusFilter, source: SourceFilter)

    public var endpoint: Endpoint {
        switch self {
        case .artists: .artists
        case .artist: .artist
        case .artistWorks: .artistWorks
        case .work: .work
        case .workRecordings: .workRecordings
        }
    }

    /// The inner cache's key, as bytes: the endpoint and its normalised
    /// parameters, so parameter order, defaults, unknown parameters and the
    /// ASCII case of `search` (matched ASCII-case-insensitively) make no
    /// difference, and two searches SQLite tells apart never share a key.
    public var cacheKey: [UInt8] {
        switch self {
        case let .artists(skip, limit, search): Array("artists \(skip) \(limit) ".utf8) + Self.asciiLowercased(search)
        case let .artist(id): Array("artist \(id)".utf8)
        case let .artistWorks(id, skip, limit): Array("artist_works \(id) \(skip) \(limit)".utf8)
        case let .work(id): Array("work \(id)".utf8)
        case let .workRecordings(id, skip, limit, status, source): Array("work_recordings \(id) \(skip) \(limit) \(status) \(source)".utf8)
        }
    }

    /// Parses the path below `Paths.library` (split on `/` bytes, each segment
    /// percent-decoded) and the query string.
    /// - Throws: `APIError` 404 for an unknown path, 422 for a bad parameter.
    public init(path: some Collection<UInt8>, query: QueryParameters) throws(APIError) {
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { QueryParameters.percentDecoded($0) }
        // "/artists/" or "//works": an empty segment names nothing.
        guard let endpoint = Endpoint(segments: segments) else { throw .notFound }
        switch endpoint {
        case .artists:
            self = .artists(skip: try query.skip(), limit: try query.limit(default: 50), search: try query.search())
        case .artist:
            self = .artist(id: try Self.id(segments[1], of: "artist"))
        case .artistWorks:
            self = .artistWorks(id: try Self.id(segments[1], of: "artist"), skip: try query.skip(), limit: try query.limit(default: 24))
        case .work:
            self = .work(id: try Self.id(segments[1], of: "work"))
        case .workRecordings:
            self = .workRecordings(id: try Self.id(segments[1], of: "work"), skip: try query.skip(), limit: try query.limit(default: 100),
                                   status: try query.choice("status", default: .all), source: try query.choice("source", default: .all))
        }
    }

    /// A path id: a base-10 integer that fits in 64 bits.
    static func id(_ bytes: [UInt8], of what: String) throws(APIError) -> Int64 {
        guard let id = QueryParameters.integer(bytes) else {
            throw .invalid("\(what) id must be a base-10 integer that fits in 64 bits, got \(QueryParameters.quoted(bytes))")
        }
        return id
    }

    static func asciiLowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }
}
