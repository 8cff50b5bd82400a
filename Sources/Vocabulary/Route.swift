/// What a request's path names, for counting: a library endpoint (by its
/// shape alone, as nginx's `$airwave_endpoint` map names it, so a 422 or a
/// 404 of `/artists/abc` counts under `artist`), the system endpoints, or
/// anything else. A fixed set: metrics labelled by it stay few.
public enum Route: Equatable, Sendable {
    case library(Endpoint)
    case system
    case other

    public static let allCases: [Route] = Endpoint.allCases.map(Route.library) + [.system, .other]

    /// `uri`: the path and query string, bytes as nginx sent them.
    public init(uri: some Collection<UInt8>) {
        let path = uri.prefix { $0 != UInt8(ascii: "?") }
        if path.starts(with: Self.systemPrefix) { self = .system; return }
        guard path.starts(with: Self.libraryPrefix) else { self = .other; return }
        let segments = path.dropFirst(Self.libraryPrefix.count).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        self = Endpoint(segments: segments).map(Route.library) ?? .other
    }

    private static let systemPrefix = Array((Paths.system + "/").utf8)
    private static let libraryPrefix = Array((Paths.library + "/").utf8)

    /// Its place in `allCases` (the scoreboard's histograms are kept in this order).
    public var index: Int { Route.allCases.firstIndex(of: self)! }

    /// Its label value: the endpoint's name, `system` or `other`.
    public var label: String {
        switch self {
        case .library(let endpoint): endpoint.rawValue
        case .system: "system"
        case .other: "other"
        }
    }
}
