import Testing
@testable import WattControl

@Suite struct RuleTimerTests {
    /// `for 10 min` at a 5-minute tick: pending at 0 and 5 min, firing from 10 min.
    @Test func forDurationMustHoldOnEveryTick() {
        var timer = RuleTimer()
        #expect(timer.update(holds: true, now: 0, holdFor: 600, cooldown: nil) == .pending(remaining: 600))
        #expect(timer.update(holds: true, now: 300, holdFor: 600, cooldown: nil) == .pending(remaining: 300))
        #expect(timer.update(holds: true, now: 600, holdFor: 600, cooldown: nil) == .act)
        #expect(timer.phase == .firing)
        // A break resets it.
        #expect(timer.update(holds: false, now: 900, holdFor: 600, cooldown: nil) == .inactive)
        #expect(timer.update(holds: true, now: 1200, holdFor: 600, cooldown: nil) == .pending(remaining: 600))
    }

    @Test func missingConditionResetsLikeFalse() {
        var timer = RuleTimer()
        _ = timer.update(holds: true, now: 0, holdFor: 600, cooldown: nil)
        #expect(timer.update(holds: nil, now: 300, holdFor: 600, cooldown: nil) == .inactive)
        #expect(timer.since == nil)
    }

    @Test func cooldownBlocksReFiring() {
        var timer = RuleTimer()
        #expect(timer.update(holds: true, now: 0, holdFor: nil, cooldown: 1800) == .act)
        #expect(timer.update(holds: true, now: 300, holdFor: nil, cooldown: 1800) == .coolingDown(remaining: 1500))
        #expect(timer.update(holds: false, now: 600, holdFor: nil, cooldown: 1800) == .inactive)
        #expect(timer.update(holds: true, now: 900, holdFor: nil, cooldown: 1800) == .coolingDown(remaining: 900))
        #expect(timer.update(holds: true, now: 1800, holdFor: nil, cooldown: 1800) == .act)
    }

    @Test func withoutForOrCooldownItActsEveryTick() {
        var timer = RuleTimer()
        for t in stride(from: 0.0, to: 3000, by: 300) {
            #expect(timer.update(holds: true, now: t, holdFor: nil, cooldown: nil) == .act)
        }
    }
}

@Suite struct HysteresisTimerTests {
    @Test func staysFiringUntilTheClearConditionHoldsForItsDuration() {
        var timer = RuleTimer()
        let clearFor = 600.0
        #expect(timer.update(holds: true, now: 0, holdFor: nil, cooldown: nil, clear: (false, clearFor)) == .act)
        // The `when` condition stops holding, but the rule has not cleared.
        #expect(timer.update(holds: false, now: 300, holdFor: nil, cooldown: nil, clear: (false, clearFor)) == .act)
        // The clear condition holds, not yet for 10 minutes; a gap breaks it.
        #expect(timer.update(holds: false, now: 600, holdFor: nil, cooldown: nil, clear: (true, clearFor)) == .act)
        #expect(timer.update(holds: false, now: 900, holdFor: nil, cooldown: nil, clear: (nil, clearFor)) == .act)
        #expect(timer.update(holds: false, now: 1200, holdFor: nil, cooldown: nil, clear: (true, clearFor)) == .act)
        #expect(timer.update(holds: false, now: 1800, holdFor: nil, cooldown: nil, clear: (true, clearFor)) == .inactive)
        #expect(timer.phase == .inactive)
        // Cleared: the `when` condition must hold again to fire.
        #expect(timer.update(holds: false, now: 2100, holdFor: nil, cooldown: nil, clear: (false, clearFor)) == .inactive)
    }
}
