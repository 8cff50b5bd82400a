import Testing
import Traffic
@testable import CacheAnalysis

@Suite struct RequestPlanTests {
    static let artists = (1...500).map(Int64.init), works = (1000...1300).map(Int64.init)

    @Test func theSameSeedSendsTheSameSequence() {
        let a = RequestPlan(requests: 50, workingSet: 10, artistIDs: Self.artists, workIDs: Self.works, seed: 3)
        let b = RequestPlan(requests: 50, workingSet: 10, artistIDs: Self.artists, workIDs: Self.works, seed: 3)
        let c = RequestPlan(requests: 50, workingSet: 10, artistIDs: Self.artists, workIDs: Self.works, seed: 4)
        #expect(a.steps.map(\.target) == b.steps.map(\.target))
        #expect(a.steps.map(\.target) != c.steps.map(\.target))
        #expect(a.steps.count == 250)
        #expect(a.steps.map(\.template) == analysedTemplates.flatMap { Array(repeating: $0, count: 50) })
    }

    @Test func eachEndpointDrawsFromItsWorkingSet() {
        let plan = RequestPlan(requests: 200, workingSet: 5, artistIDs: Self.artists, workIDs: Self.works, seed: 9)
        func ids(_ template: Template) -> Set<Substring> {
            Set(plan.steps.filter { $0.template == template }.map { $0.target.split(separator: "?")[0].split(separator: "/")[4] })
        }
        #expect(ids(.artist).count == 5 && ids(.artist) == ids(.artistWorks))
        #expect(ids(.work).count == 5 && ids(.work) == ids(.recordings))
        #expect(plan.steps.filter { $0.template == .artists }.allSatisfy { $0.target.hasPrefix("/api/v1/library/artists?skip=") && $0.target.hasSuffix("&limit=50") })
        let filtered = plan.steps.filter { $0.template == .recordings && $0.target.contains("status=") }.count
        #expect(filtered > 60 && filtered < 140)   // half of 200
        // Skewed: the most requested id is asked far more than the least.
        var counts: [Substring: Int] = [:]
        for step in plan.steps where step.template == .artist { counts[step.target.split(separator: "/").last!, default: 0] += 1 }
        #expect(counts.values.max()! > 3 * counts.values.min()!)
    }
}
