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
        if path.starts(with: (Paths.system + "/").utf8) { self = .system; return }
        guard path.starts(with: (Paths.library + "/").utf8) else { self = .other; return }
        let segments = path.dropFirst(Paths.library.utf8.count + 1).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        func named(_ index: Int, _ name: String) -> Bool { segments[index].elementsEqual(name.utf8) }
        let filled = !segments.contains(where: \.isEmpty)
        switch segments.count {
        case 1 where named(0, "artists"): self = .library(.artists)
        case 2 where filled && named(0, "artists"): self = .library(.artist)
        case 3 where filled && named(0, "artists") && named(2, "works"): self = .library(.artistWorks)
        case 2 where filled && named(0, "works"): self = .library(.work)
        case 3 where filled && named(0, "works") && named(2, "recordings"): self = .library(.workRecordings)
        default: self = .other
        }
    }

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
