import Store

/// A parsed library request: which endpoint, with every parameter validated
/// and defaults filled in.
public enum LibraryRequest: Equatable, Sendable {
    case artists(skip: Int64, limit: Int, search: String)
    case artist(id: Int64)
    case artistWorks(id: Int64, skip: Int64, limit: Int)
    case work(id: Int64)
    case workRecordings(id: Int64, skip: Int64, limit: Int, status: StatusFilter, source: SourceFilter)

    public static let basePath = "/api/v1/library"

    public var endpoint: Endpoint {
        switch self {
        case .artists: .artists
        case .artist: .artist
        case .artistWorks: .artistWorks
        case .work: .work
        case .workRecordings: .workRecordings
        }
    }

    /// The inner cache's key: the endpoint and its normalised parameters, so
    /// parameter order, defaults, unknown parameters and the case of `search`
    /// (matched ASCII-case-insensitively) make no difference.
    public var cacheKey: String {
        switch self {
        case let .artists(skip, limit, search): "artists \(skip) \(limit) \(Self.asciiLowercased(search))"
        case let .artist(id): "artist \(id)"
        case let .artistWorks(id, skip, limit): "artist_works \(id) \(skip) \(limit)"
        case let .work(id): "work \(id)"
        case let .workRecordings(id, skip, limit, status, source): "work_recordings \(id) \(skip) \(limit) \(status) \(source)"
        }
    }

    /// Parses the path below `basePath` and the query string.
    /// - Throws: `APIError` 404 for an unknown path, 422 for a bad parameter.
    public init(path: Substring, query: QueryParameters) throws(APIError) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(QueryParameters.percentDecoded)
        // "/artists/" or "//works": an empty segment names nothing.
        guard !segments.contains(where: \.isEmpty) else { throw .notFound }
        switch (segments.count, segments.first) {
        case (1, "artists"):
            self = .artists(skip: try query.skip(), limit: try query.limit(default: 50), search: try query.search())
        case (2, "artists"):
            self = .artist(id: try Self.id(segments[1], of: "artist"))
        case (3, "artists") where segments[2] == "works":
            self = .artistWorks(id: try Self.id(segments[1], of: "artist"), skip: try query.skip(), limit: try query.limit(default: 24))
        case (2, "works"):
            self = .work(id: try Self.id(segments[1], of: "work"))
        case (3, "works") where segments[2] == "recordings":
            self = .workRecordings(id: try Self.id(segments[1], of: "work"), skip: try query.skip(), limit: try query.limit(default: 100),
                                   status: try query.choice("status", default: .all), source: try query.choice("source", default: .all))
        default:
            throw .notFound
        }
    }

    /// A path id: a base-10 integer that fits in 64 bits.
    static func id(_ text: String, of what: String) throws(APIError) -> Int64 {
        guard let id = QueryParameters.integer(text) else {
            throw .invalid("\(what) id must be a base-10 integer that fits in 64 bits, got \(QueryParameters.quoted(text))")
        }
        return id
    }

    static func asciiLowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
