import Support
import Testing

@Suite struct SystemClockTests {
    @Test func durationsInNanoseconds() {
        #expect(Duration.seconds(2).nanoseconds == 2_000_000_000)
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000 && Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(3).nanoseconds == 3_000)
    }

    @Test func deadlinesAndSleep() {
        let start = SystemClock.now()
        let deadline = SystemClock.deadline(after: .milliseconds(20))
        #expect(deadline >= start + 20_000_000)
        SystemClock.sleep(until: deadline)
        #expect(SystemClock.now() >= deadline)
        // A deadline in the past: no wait, and a negative duration is now.
        #expect(SystemClock.deadline(after: .seconds(-5)) >= deadline)
    }

    @Test func wallTimeForPeople() {
        #expect(SystemClock.isoTime(0) == "1970-01-01T00:00:00Z")
        #expect(SystemClock.isoTime(1_795_000_000_123) == "2026-11-18T11:06:40Z")
        #expect(SystemClock.wallMilliseconds() > 1_700_000_000_000)
    }
}
