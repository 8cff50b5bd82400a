import Traffic
import Support
import Vocabulary

/// One request of an analysis as the client saw it.
public struct Observation: Sendable {
    public var template: Template
    public var target: String
    public var status: Int
    /// Sent to last byte, in nanoseconds.
    public var nanoseconds: UInt64
    public var cache: CacheStatus

    public init(template: Template, target: String, status: Int, nanoseconds: UInt64, cache: CacheStatus) {
        self.template = template
        self.target = target
        self.status = status
        self.nanoseconds = nanoseconds
        self.cache = cache
    }
}

public enum Layer: String, Sendable, CaseIterable, Codable {
    case outer, inner
}
