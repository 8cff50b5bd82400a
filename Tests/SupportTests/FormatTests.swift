import Support
import Testing

@Suite struct FormatTests {
    @Test func numbers() {
        #expect(Format.fixed(2.346, 2) == "2.35" && Format.fixed(0.5, 0) == "1")
        #expect(Format.fixed(0.004, 2) == "0.00" && Format.fixed(-1.5, 1) == "-1.5" && Format.fixed(12, 0) == "12")
        #expect(Format.fixed(.nan, 2) == "-")
        #expect(Format.percent(0.855) == "85.5%")
        #expect(Format.count(1234567) == "1,234,567" && Format.count(-1000) == "-1,000" && Format.count(999) == "999")
    }

    @Test func milliseconds() {
        #expect(Format.milliseconds(12_345_678) == "12.346" && Format.milliseconds(999) == "0.001" && Format.milliseconds(0) == "0.000")
    }
}
