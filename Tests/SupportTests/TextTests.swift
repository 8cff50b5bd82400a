import Support
import Testing

@Suite struct TextTests {
    @Test func trimmingBlanksTrimsScalars() {
        #expect("  a b\t\r\n".trimmingBlanks == "a b" && "\r\n".trimmingBlanks == "" && "x".trimmingBlanks == "x")
    }
}
