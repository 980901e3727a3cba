import Foundation
import Testing
@testable import WattEnergy

@Suite struct ShiftPlannerTests {
    static let step = 1800.0

    static func forecast(_ values: [Double], sigma: Double = 0) -> ShiftForecast {
        ShiftForecast(start: 0, step: step, values: values, sigmas: [Double](repeating: sigma, count: values.count))
    }

    /// A daily-like cycle: high at the start, a trough at steps 8...11, high again.
    static let cycle: [Double] = [400, 390, 380, 350, 300, 250, 200, 150, 100, 90, 95, 110, 200, 300, 400, 420]

    @Test func declinesOnAFlatForecast() throws {
        let f = Self.forecast([Double](repeating: 300, count: 16))
        let request = ShiftRequest(work: 2 * Self.step, earliestStart: 0, deadline: 16 * Self.step)
        for confidence in [0.0, 1.0] {
            let plan = try ShiftPlanner(confidence: confidence).plan(request, forecast: f)
            #expect(plan.decision == .declined)
            #expect(plan.start == 0 && plan.end == 2 * Self.step)
            #expect(plan.expectedSaving == 0)
        }
    }

    @Test func shiftsToTheLowSlotOnAClearCycle() throws {
        let f = Self.forecast(Self.cycle, sigma: 5)
        let request = ShiftRequest(work: 2 * Self.step, earliestStart: 0, deadline: 16 * Self.step, power: 1000)
        let plan = try ShiftPlanner().plan(request, forecast: f)
        #expect(plan.decision == .shifted)
        #expect(plan.start == 9 * Self.step)                     // 90 + 95 is the lowest pair
        #expect(plan.segments.count == 1 && plan.interruptions == 0)
        let energy = 1000 * Self.step
        #expect(abs(plan.expectedSaving - energy * ((400 + 390) - (90 + 95))) < 1e-6)
        // Four steps differ, each with sigma 5: sd = energy × 5 × 2.
        #expect(abs(plan.uncertainty - energy * 10) < 1e-6)
    }

    @Test func declinesWhenTheSavingDoesNotExceedTheUncertainty() throws {
        // A small dip (10 g) under noise of 20 g per step: not worth moving at confidence 1.
        var values = [Double](repeating: 300, count: 12)
        values[6] = 290
        let f = Self.forecast(values, sigma: 20)
        let request = ShiftRequest(work: Self.step, earliestStart: 0, deadline: 12 * Self.step)
        let cautious = try ShiftPlanner(confidence: 1).plan(request, forecast: f)
        #expect(cautious.decision == .declined)
        #expect(cautious.start == 0)
        #expect(abs(cautious.bestSaving - Self.step * 10) < 1e-9)
        // Let's Wait Awhile's rule (confidence 0) takes the lowest point anyway.
        let greedy = try ShiftPlanner(confidence: 0).plan(request, forecast: f)
        #expect(greedy.decision == .shifted && greedy.start == 6 * Self.step)
        // Unknown uncertainty: declined unless the rule ignores it.
        let unknown = Self.forecast(values, sigma: .nan)
        #expect(try ShiftPlanner(confidence: 1).plan(request, forecast: unknown).decision == .declined)
        #expect(try ShiftPlanner(confidence: 0).plan(request, forecast: unknown).decision == .shifted)
    }

    @Test func respectsTheDeadlineAndEarliestStart() throws {
        let f = Self.forecast(Self.cycle)
        // Deadline at step 8: the trough is out of reach; the best inside is steps 6, 7.
        let early = ShiftRequest(work: 2 * Self.step, earliestStart: 0, deadline: 8 * Self.step)
        let plan = try ShiftPlanner(confidence: 0).plan(early, forecast: f)
        #expect(plan.start == 6 * Self.step && plan.end == 8 * Self.step)
        // Earliest start after the trough, default inside the window.
        let late = ShiftRequest(work: Self.step, earliestStart: 12 * Self.step, deadline: 16 * Self.step,
                                defaultStart: 14 * Self.step)
        let p2 = try ShiftPlanner(confidence: 0).plan(late, forecast: f)
        #expect(p2.start == 12 * Self.step)
        // No slack: the job must run where it is.
        let tight = ShiftRequest(work: 3 * Self.step, earliestStart: 2 * Self.step, deadline: 5 * Self.step)
        #expect(try ShiftPlanner(confidence: 0).plan(tight, forecast: f).start == 2 * Self.step)
        // Negative slack is refused with its reason.
        let impossible = ShiftRequest(work: 4 * Self.step, earliestStart: 0, deadline: 3 * Self.step)
        #expect(throws: ShiftPlanner.Failure.self) { try ShiftPlanner().plan(impossible, forecast: f) }
        // A default outside the window must move even when nothing is proven.
        let outside = ShiftRequest(work: Self.step, earliestStart: 4 * Self.step, deadline: 6 * Self.step, defaultStart: 0)
        let p3 = try ShiftPlanner(confidence: 1).plan(outside, forecast: Self.forecast(Self.cycle, sigma: 1000))
        #expect(p3.decision == .required && p3.start >= 4 * Self.step && p3.end <= 6 * Self.step)
    }

    @Test func interruptiblePlanTakesTheLowestSteps() throws {
        // Two troughs: steps 2 and 9, 10; the three lowest are 2, 9, 10.
        let values: [Double] = [300, 300, 50, 300, 300, 300, 300, 300, 300, 60, 70, 300]
        let f = Self.forecast(values)
        let request = ShiftRequest(work: 3 * Self.step, earliestStart: 0, deadline: 12 * Self.step, interruptible: true)
        let plan = try ShiftPlanner(confidence: 0).plan(request, forecast: f)
        #expect(plan.segments == [.init(start: 2 * Self.step, end: 3 * Self.step), .init(start: 9 * Self.step, end: 11 * Self.step)])
        #expect(plan.interruptions == 1)
        #expect(abs(plan.expectedCost - Self.step * (50 + 60 + 70)) < 1e-9)
    }

    @Test func checkpointOverheadIsChargedPerInterruption() throws {
        let values: [Double] = [300, 300, 50, 300, 300, 300, 300, 300, 300, 60, 70, 300]
        let f = Self.forecast(values)
        // A small overhead: splitting still pays, and the resume at step 9 costs 600 s × 60.
        let small = ShiftRequest(work: 3 * Self.step, earliestStart: 0, deadline: 12 * Self.step, interruptible: true,
                                 checkpointOverhead: 600)
        let p1 = try ShiftPlanner(confidence: 0).plan(small, forecast: f)
        #expect(p1.interruptions == 1)
        #expect(abs(p1.expectedCost - (Self.step * (50 + 60 + 70) + 600 * 60)) < 1e-9)
        // An overhead larger than what splitting saves: one contiguous run (steps 8...10 or 9...11).
        let large = ShiftRequest(work: 3 * Self.step, earliestStart: 0, deadline: 12 * Self.step, interruptible: true,
                                 checkpointOverhead: 20 * Self.step)
        let p2 = try ShiftPlanner(confidence: 0).plan(large, forecast: f)
        #expect(p2.interruptions == 0)
        #expect(abs(p2.expectedCost - Self.step * (300 + 60 + 70)) < 1e-9)
        // The search agrees with brute force on every 3-of-8 choice.
        let v: [Double] = [120, 80, 200, 90, 70, 300, 60, 110]
        let request = ShiftRequest(work: 3 * Self.step, earliestStart: 0, deadline: 8 * Self.step, interruptible: true,
                                   checkpointOverhead: 900)
        let plan = try ShiftPlanner(confidence: 0).plan(request, forecast: Self.forecast(v))
        var best = Double.infinity
        for a in 0..<8 { for b in (a + 1)..<8 { for c in (b + 1)..<8 {
            var cost = Self.step * (v[a] + v[b] + v[c])
            if b != a + 1 { cost += 900 * v[b] }
            if c != b + 1 { cost += 900 * v[c] }
            best = min(best, cost)
        } } }
        #expect(abs(plan.expectedCost - best) < 1e-9)
    }

    /// The search over (steps chosen, running or paused) against every subset, on seeded
    /// random windows: any length and work, blocked steps, a job running at the start, and
    /// an offset first step (the search visits only counts that can still finish).
    @Test func cheapestStepsEqualsBruteForceOnRandomWindows() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let planner = ShiftPlanner(confidence: 0)
        for trial in 0..<400 {
            let first = next(3), n = 1 + next(10), limit = first + n
            let v = (0..<limit).map { _ in Double(20 + next(300)) }
            let blocked = (0..<limit).map { _ in next(5) == 0 }
            let d = 1 + next(n), resume = Double(next(3)) * 0.5, running = next(2) == 0
            func cost(_ mask: Int) -> Double? {
                var total = 0.0, chosen = 0, previous = running
                for j in 0..<n {
                    let on = mask & (1 << j) != 0
                    if on {
                        if blocked[first + j] { return nil }
                        total += v[first + j] + (previous || (chosen == 0 && !running) ? 0 : resume * v[first + j])
                        chosen += 1
                    }
                    previous = on
                }
                return chosen == d ? total : nil
            }
            let best = (0..<(1 << n)).compactMap(cost).min()
            let slots = planner.cheapestSteps(v, first, limit, d, energy: 1, resume: resume, runningFromStart: running,
                                              blocked: blocked)
            guard let best else { #expect(slots == nil, "trial \(trial): no plan exists"); continue }
            guard let slots else { Issue.record("trial \(trial): no plan found, brute force \(best)"); continue }
            let mask = slots.reduce(0) { $0 | 1 << ($1 - first) }
            #expect(slots.count == d, "trial \(trial)")
            #expect(abs((cost(mask) ?? .infinity) - best) < 1e-9, "trial \(trial): \(slots) vs \(best)")
        }
    }

    @Test func badInputIsRefusedNotCrashed() {
        let f = Self.forecast(Self.cycle)
        let bad = [ShiftRequest(work: .nan, earliestStart: 0, deadline: 10),
                   ShiftRequest(work: 0, earliestStart: 0, deadline: 10 * Self.step),
                   ShiftRequest(work: Self.step, earliestStart: 0, deadline: .infinity),
                   ShiftRequest(work: Self.step, earliestStart: 0, deadline: 4 * Self.step, power: -1),
                   ShiftRequest(work: Self.step, earliestStart: 0, deadline: 4 * Self.step, defaultStart: 100 * Self.step)]
        for request in bad {
            #expect(throws: ShiftPlanner.Failure.self) { try ShiftPlanner().plan(request, forecast: f) }
        }
        var gap = Self.cycle
        gap[3] = .nan
        #expect(throws: ShiftPlanner.Failure.self) {
            try ShiftPlanner().plan(ShiftRequest(work: Self.step, earliestStart: 0, deadline: 8 * Self.step), forecast: Self.forecast(gap))
        }
    }
}
