/// SplitMix64: a small, fast, deterministic generator, so the same seed
/// always writes the same library and sends the same requests.
public struct RandomSource: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index in 0..<n drawn with a power-law skew: low indexes are popular.
    public mutating func skewed(_ n: Int, exponent: Double) -> Int {
        min(n - 1, Int(Double(n) * pow(unit(), exponent)))
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

#if canImport(Glibc)
import Glibc
#endif
