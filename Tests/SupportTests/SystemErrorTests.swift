import Support
import Testing

@Suite struct SystemErrorTests {
    @Test func errnoInOneSentence() {
        #expect(SystemError("open /nowhere", code: 2).description == "open /nowhere: No such file or directory")
        #expect(SystemError("bind", code: 98) == SystemError("bind", code: 98))
    }
}
