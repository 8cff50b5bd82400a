import Traffic
import Support

/// One cache layer's figures over some requests, from their headers.
public struct LayerSummary: Sendable, Codable {
    /// False when every request it was asked about said `OFF`.
    public var enabled: Bool
    /// The requests this layer was asked about: all of them for the outer
    /// layer; for the inner one only those that reached a worker.
    public var requests: Int
    public var hits: Int
    public var misses: Int
    public var avgHit: Double?, p50Hit: Double?, avgMiss: Double?, p50Miss: Double?
    /// Mean of every request this layer was asked about: what users got.
    public var effective: Double?
    /// The best rate one cache of unlimited size could reach on the same
    /// requests: each distinct URL's first request misses, the rest hit.
    public var bestHitRate: Double?

    public var hitRate: Double? { hits + misses == 0 ? nil : Double(hits) / Double(hits + misses) }
    /// How many times faster a hit is than a miss.
    public var speedup: Double? {
        guard let avgHit, let avgMiss, avgHit > 0 else { return nil }
        return avgMiss / avgHit
    }

    /// Milliseconds throughout.
    public init(_ layer: Layer, _ observations: [Observation]) {
        let asked = layer == .outer ? observations : observations.filter { $0.cache.reachedWorker }
        let hitList = asked.filter { layer == .outer ? $0.cache.outerHit : $0.cache.innerHit }
        let missList = asked.filter { layer == .outer ? $0.cache.outerMiss : $0.cache.innerMiss }
        enabled = asked.isEmpty || !asked.allSatisfy { layer == .outer ? $0.cache.outerOff : $0.cache.innerOff }
        requests = asked.count
        hits = hitList.count
        misses = missList.count
        (avgHit, p50Hit) = Self.stats(hitList)
        (avgMiss, p50Miss) = Self.stats(missList)
        effective = Self.stats(asked).avg
        bestHitRate = asked.isEmpty ? nil : Double(asked.count - Set(asked.map(\.target)).count) / Double(asked.count)
    }

    static func stats(_ list: [Observation]) -> (avg: Double?, p50: Double?) {
        guard !list.isEmpty else { return (nil, nil) }
        let ms = list.map { Double($0.nanoseconds) / 1e6 }.sorted()
        let median = ms.count % 2 == 1 ? ms[ms.count / 2] : (ms[ms.count / 2 - 1] + ms[ms.count / 2]) / 2
        return (ms.reduce(0, +) / Double(ms.count), median)
    }
}
