import Foundation

/// Real-time mode: ticks on the wall clock, one every `interval` seconds from the first. A
/// tick that takes longer than the interval is reported (how much it overran) and the next
/// one starts at once; ticks are never silently skipped.
final class Pacer {
    let interval: Double
    private var next: Date

    init(interval: Double) {
        self.interval = interval
        next = Date().addingTimeInterval(interval)
    }

    /// Sleeps until the next tick is due, waking early (within 50 ms) when `shouldStop`
    /// turns true. Returns the overrun in seconds when the tick was already late.
    func waitForNextTick(shouldStop: () -> Bool) -> Double? {
        let late = -next.timeIntervalSinceNow
        if late > 0 {
            next = Date().addingTimeInterval(interval)
            return late
        }
        while next.timeIntervalSinceNow > 0 && !shouldStop() {
            Thread.sleep(forTimeInterval: min(0.05, max(0.001, next.timeIntervalSinceNow)))
        }
        next = next.addingTimeInterval(interval)
        return nil
    }
}
