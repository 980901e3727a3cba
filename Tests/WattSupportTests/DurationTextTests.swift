import Testing
import WattSupport

/// The one duration parser of flags and settings.
@Suite struct DurationTextTests {
    @Test(arguments: [
        ("60s", 60.0), ("5min", 300), ("5 min", 300), ("1.5h", 5400), ("2d", 172_800), ("1w", 604_800),
        ("250ms", 0.25), ("1ms", 0.001), ("30", 30), ("0", 0), (".5h", 1800), ("1e3s", 1000),
    ]) func accepts(_ text: String, _ seconds: Double) {
        #expect(DurationText.parse(text) == seconds)
    }

    @Test(arguments: ["", "fast", "-5s", "+5s", "5 parsecs", "nan", "inf", "infs", "1e400s", "0x10s", "s", "5 5s", "1e308w"])
    func refuses(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func shortForms() {
        #expect(DurationText.short(300) == "5 min")
        #expect(DurationText.short(7200) == "2 h")
        #expect(DurationText.short(45) == "45 s")
        #expect(DurationText.short(0.5) == "0.5 s")
    }
}
