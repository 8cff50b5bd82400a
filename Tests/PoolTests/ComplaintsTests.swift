@testable import Pool
import Testing

/// A worker's warnings about connections that ended without a request: one
/// a second at most, saying how many went unsaid meanwhile.
@Suite struct ComplaintsTests {
    @Test func oneASecondWithTheCountOfTheRest() {
        var complaints = Complaints()
        #expect(complaints.mayComplain(at: 5_000_000_000) == 0)
        for step in 1...99 { #expect(complaints.mayComplain(at: 5_000_000_000 + UInt64(step) * 1_000_000) == nil) }
        #expect(complaints.mayComplain(at: 5_999_999_999) == nil)
        #expect(complaints.mayComplain(at: 6_000_000_000) == 100)
        #expect(complaints.mayComplain(at: 7_500_000_000) == 0)
    }
}
