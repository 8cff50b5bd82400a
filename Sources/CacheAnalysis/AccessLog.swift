import Foundation
import Traffic
import Vocabulary

/// nginx's access log, as `conf/nginx/logging.conf` writes it: one line per
/// request with `outer=… inner=…` and the client's `agent="…"`.
public struct AccessLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The log's size now: where this run's lines will start.
    public func end() -> UInt64 {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// `(outer, inner)` of each line from `offset` on written for `agent`.
    public func statuses(from offset: UInt64, agent: String) -> [CacheStatus] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        // A rotated (smaller) log starts again from its beginning.
        let size = end()
        try? handle.seek(toOffset: offset <= size ? offset : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { bytes in
            guard let line = AccessLogLine(bytes), line.agent == agent else { return nil }
            return line.cache
        }
    }
}
