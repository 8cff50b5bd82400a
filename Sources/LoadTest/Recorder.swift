import Histogram
import Traffic
import Vocabulary

/// Latencies in nanoseconds, from 1 µs to an hour, three significant digits.
typealias Latencies = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    static func latencies() -> Latencies {
        Latencies(lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
    }

    mutating func recordClamped(_ nanoseconds: UInt64) {
        _ = record(Swift.min(Swift.max(nanoseconds, 1_000), highestTrackableValue))
    }
}

/// What one kind of request saw during a test.
struct TemplateRecord {
    /// From when the request was due to its last byte: what the user waited.
    var latency = Latencies.latencies()
    /// From when it was sent to its last byte: what the server took.
    var service = Latencies.latencies()
    var requests = 0
    /// Answers with a status of 400 or more.
    var errorStatuses: [Int: Int] = [:]
    /// Requests that got no complete answer, by reason.
    var failures: [String: Int] = [:]
    var outer: [String: Int] = [:]
    var inner: [String: Int] = [:]
    var bytes = 0

    var errors: Int { errorStatuses.values.reduce(0, +) + failures.values.reduce(0, +) }

    mutating func add(_ other: TemplateRecord) {
        latency.add(other.latency)
        service.add(other.service)
        requests += other.requests
        errorStatuses.merge(other.errorStatuses, uniquingKeysWith: +)
        failures.merge(other.failures, uniquingKeysWith: +)
        outer.merge(other.outer, uniquingKeysWith: +)
        inner.merge(other.inner, uniquingKeysWith: +)
        bytes += other.bytes
    }
}

/// One user's records (no locking: each user thread owns one).
struct Recorder {
    var templates: [Template: TemplateRecord] = [:]

    mutating func answered(_ template: Template, _ response: HTTPResponse, due: UInt64, sent: UInt64, done: UInt64) {
        templates[template, default: TemplateRecord()].answered(response, due: due, sent: sent, done: done)
    }

    mutating func failed(_ template: Template, _ error: TrafficError) {
        var reason = error.description
        if let colon = reason.range(of: ": ") { reason = String(reason[colon.upperBound...]) }  // without the target
        var record = templates[template, default: TemplateRecord()]
        record.requests += 1
        record.failures[reason, default: 0] += 1
        templates[template] = record
    }

    mutating func add(_ other: Recorder) {
        for (template, record) in other.templates { templates[template, default: TemplateRecord()].add(record) }
    }
}

extension TemplateRecord {
    mutating func answered(_ response: HTTPResponse, due: UInt64, sent: UInt64, done: UInt64) {
        requests += 1
        latency.recordClamped(done &- due)
        service.recordClamped(done &- sent)
        if response.status >= 400 { errorStatuses[response.status, default: 0] += 1 }
        let cache = CacheStatus(response)
        outer[cache.outer.isEmpty ? "none" : cache.outer, default: 0] += 1
        inner[cache.inner.isEmpty ? "none" : cache.inner, default: 0] += 1
        bytes += response.body.count
    }
}
