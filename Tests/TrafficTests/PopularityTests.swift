import Support
import Testing
import Traffic

/// Skewed choice: the top tenth of the ids get about 46% of the draws.
@Suite struct PopularityTests {
    @Test func popularityIsSkewedAndRepeatable() {
        let items = Array(0..<1000)
        let a = Popularity(items, seed: 7), b = Popularity(items, seed: 7), c = Popularity(items, seed: 8)
        #expect(a.ranked == b.ranked && a.ranked != c.ranked)
        #expect(a.ranked.sorted() == items)
        var random = RandomSource(seed: 1)
        var counts = [Int: Int]()
        for _ in 0..<20_000 { counts[a.draw(&random), default: 0] += 1 }
        let top = Set(a.ranked.prefix(100))
        let share = Double(counts.filter { top.contains($0.key) }.values.reduce(0, +)) / 20_000
        #expect(share > 0.40 && share < 0.52, "top 10% drew \(share)")  // 0.1^(1/3) = 46%
        #expect(counts.count > 500)  // and a long tail
    }
}
