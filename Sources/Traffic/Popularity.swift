import Support

/// Skewed choice among items: a few popular ones, a long tail, as listeners
/// browse. Popularity follows a seeded shuffle, not the items' order, so the
/// favourites are spread across the alphabet.
public struct Popularity<Item: Sendable>: Sendable {
    public let ranked: [Item]
    /// Higher means more skew: the share of draws falling on the top 10% of
    /// items is 0.1^(1/exponent) (exponent 3: 46%).
    public let exponent: Double

    public init(_ items: [Item], seed: UInt64, exponent: Double = 3) {
        var random = RandomSource(seed: seed)
        var shuffled = items
        shuffled.shuffle(using: &random)
        ranked = shuffled
        self.exponent = exponent
    }

    public func draw(_ random: inout RandomSource) -> Item {
        ranked[random.skewed(ranked.count, exponent: exponent)]
    }
}
