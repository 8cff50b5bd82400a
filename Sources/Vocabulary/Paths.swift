/// The API's paths, as the server routes them and the tools ask for them.
public enum Paths {
    /// The library endpoints live below this.
    public static let library = "/api/v1/library"
    /// The operators' endpoints (loopback only, with nginx's secret) live below this.
    public static let system = "/api/v1/system"

    public static let ping = system + "/ping"
    public static let status = system + "/status"
    public static let cacheStats = system + "/cache/stats"
    public static let cacheClear = system + "/cache/clear"
    /// A cluster's nginx (scripts/cluster): `{"hosts": N}`, and host n's own
    /// system endpoints below `hosts/n` (a single pool answers 404).
    public static let hosts = system + "/hosts"
    /// `path` (a system path) of cluster host `n`.
    public static func onHost(_ n: Int, _ path: String) -> String { "\(hosts)/\(n)" + path.dropFirst(system.count) }
    /// Both layers live, from nginx's access log (`airwave live`), and the outer cache's buttons below it.
    public static let live = system + "/live"
    /// What every POST to the system endpoints carries, or nginx refuses it:
    /// a page on another site can make a browser post to 127.0.0.1 (a form)
    /// but cannot add a header of its own without a preflight nothing answers.
    public static let systemPostHeader = (name: "X-Airwave-Request", value: "1")
    /// The API's OpenAPI description, served by nginx.
    public static let openAPI = "/api/v1/openapi.json"

    public static func artists(skip: Int, limit: Int) -> String { "\(library)/artists?skip=\(skip)&limit=\(limit)" }
    public static func artist(_ id: Int64) -> String { "\(library)/artists/\(id)" }
    public static func artistWorks(_ id: Int64, limit: Int = 24) -> String { "\(library)/artists/\(id)/works?limit=\(limit)" }
    public static func work(_ id: Int64) -> String { "\(library)/works/\(id)" }
    public static func recordings(_ id: Int64, limit: Int = 100) -> String { "\(library)/works/\(id)/recordings?limit=\(limit)" }
    public static func recordings(_ id: Int64, status: StatusFilter, source: SourceFilter, limit: Int = 100) -> String {
        "\(library)/works/\(id)/recordings?limit=\(limit)&status=\(status.rawValue)&source=\(source.rawValue)"
    }
}
