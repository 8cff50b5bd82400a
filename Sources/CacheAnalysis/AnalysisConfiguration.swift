import Traffic

/// How a cache analysis runs. The defaults are the guide's (50 requests per
/// endpoint) plus what it left implicit: which ids, in what order.
public struct AnalysisConfiguration: Sendable {
    public var server: ServerURL
    /// Requests per endpoint.
    public var requests = 50
    /// Distinct ids each endpoint's requests are drawn from (popular first):
    /// the repetition that a cache is for.
    public var workingSet = 10
    /// Seeds the ids and their order: the same seed sends the same sequence.
    public var seed: UInt64 = 1
    /// nginx's access log to check the headers against (nil: not checked).
    public var accessLog: String?
    /// Tags this run's requests in the access log.
    public var userAgent = "airwave-cache-analysis"

    public init(server: ServerURL) { self.server = server }
}

/// The endpoints analysed, in the order they are measured.
public let analysedTemplates: [Template] = [.artists, .artist, .artistWorks, .work, .recordings]
