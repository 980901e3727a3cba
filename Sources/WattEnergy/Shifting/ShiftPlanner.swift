import Foundation

/// A job to place in time: `work` seconds of running at `power` watts, to start no earlier
/// than `earliestStart` and end by `deadline`. "Running now" (the comparison for savings and
/// the plan kept when shifting does not pay) starts at `defaultStart` (the earliest start
/// unless given: a job queued now; a nightly job's nominal time lies inside its window).
/// An interruptible job may run in any steps of the window; each interruption (a resume after
/// a pause) costs `checkpointOverhead` seconds of extra running at full power, charged at the
/// intensity of the step where it resumes. A job `running` at its default start (an
/// interruptible job running now) pays that overhead too when its plan starts later: holding
/// it means a checkpoint now and a resume then. `blocked[i]`: forecast step `i` has no room
/// for the job (a full cluster); a plan never runs there (the default run, the comparison,
/// is what happens anyway).
public struct ShiftRequest: Sendable, Equatable {
    public var work: Double
    public var earliestStart: Double
    public var deadline: Double
    public var defaultStart: Double
    public var interruptible: Bool
    public var checkpointOverhead: Double
    public var power: Double
    public var running: Bool
    public var blocked: [Bool]

    public init(work: Double, earliestStart: Double, deadline: Double, defaultStart: Double? = nil,
                interruptible: Bool = false, checkpointOverhead: Double = 0, power: Double = 1, running: Bool = false,
                blocked: [Bool] = []) {
        self.work = work; self.earliestStart = earliestStart; self.deadline = deadline
        self.defaultStart = defaultStart ?? earliestStart
        self.interruptible = interruptible; self.checkpointOverhead = checkpointOverhead; self.power = power
        self.running = running; self.blocked = blocked
    }

    /// Time the job can wait in all: the window less the work.
    public var slack: Double { deadline - earliestStart - work }
}

/// Where and when a job runs, and what that is expected to save against running now.
public struct ShiftPlan: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public init(start: Double, end: Double) { self.start = start; self.end = end }
    }

    public enum Decision: String, Sendable, Equatable {
        /// Moved: the expected saving exceeds `confidence` times its uncertainty.
        case shifted
        /// Kept at the default: no plan's saving exceeds its uncertainty.
        case declined
        /// Moved although not proven better: the default run is outside the allowed window.
        case required
    }

    /// The steps the job runs in, merged into contiguous runs, in time order.
    public var segments: [Segment]
    public var decision: Decision
    /// Expected emissions of this plan and of running now (forecast unit × J), overheads included.
    public var expectedCost: Double
    public var defaultCost: Double
    /// `defaultCost - expectedCost`, and its standard deviation under the forecast's errors.
    public var expectedSaving: Double { defaultCost - expectedCost }
    public var uncertainty: Double
    /// The best plan found, whether taken or not: its saving and uncertainty say why a
    /// shift was declined.
    public var bestSaving: Double
    public var bestUncertainty: Double
    public var interruptions: Int
    /// Why this decision, in a few words.
    public var reason: String

    public var start: Double { segments.first?.start ?? .nan }
    public var end: Double { segments.last?.end ?? .nan }
}

/// Plans a job against a carbon forecast: the lowest-carbon start (or, for an interruptible
/// job, the lowest-carbon set of steps, overheads counted) inside its window, kept only when
/// the expected saving exceeds `confidence` times the saving's standard deviation.
///
/// Method. The plan's cost is `Σ w_i v_i` over forecast steps `i` (`w_i` = joules the job uses
/// in step `i`: `power × step` for a running step, plus `power × checkpointOverhead` where it
/// resumes). The saving is linear in the forecast, so its variance is `Σ Δw_i² σ_i²`, with
/// `Δw` the difference of the default's and the plan's weights. Assumption: forecast errors
/// of different steps are independent (Let's Wait Awhile's error model is exactly that; for
/// a model's forecast, whose errors are correlated, it is an approximation). Work is rounded up
/// to whole steps. `confidence` 0 always takes the lowest forecast (Let's Wait Awhile's rule);
/// the default 1 shifts only when the saving exceeds one standard deviation. An unknown (NaN)
/// sigma in the steps that differ makes the uncertainty unknown: such a plan is declined
/// unless `confidence` is 0.
public struct ShiftPlanner: Sendable {
    public var confidence: Double
    /// Bound on the interruptible search with overheads (window steps × work steps); beyond it
    /// the lowest steps are taken without weighing the overheads (reported in `reason`).
    public var maxSearchCells: Int

    public init(confidence: Double = 1, maxSearchCells: Int = 20_000_000) {
        self.confidence = confidence; self.maxSearchCells = maxSearchCells
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public func plan(_ request: ShiftRequest, forecast: ShiftForecast) throws(Failure) -> ShiftPlan {
        let r = request, f = forecast
        for (name, v) in [("work", r.work), ("earliest start", r.earliestStart), ("deadline", r.deadline),
                          ("default start", r.defaultStart), ("checkpoint overhead", r.checkpointOverhead), ("power", r.power)]
        where !v.isFinite {
            throw Failure(message: "\(name) is not a finite number")
        }
        guard r.work > 0 else { throw Failure(message: "work must be positive, got `\(r.work)` s") }
        guard r.power >= 0, r.checkpointOverhead >= 0 else {
            throw Failure(message: "power and checkpoint overhead must not be negative")
        }
        guard confidence >= 0, confidence.isFinite else { throw Failure(message: "confidence must be a finite number ≥ 0") }
        let d = Int((r.work / f.step - 1e-9).rounded(.up))
        let first = max(0, Int(((r.earliestStart - f.start) / f.step - 1e-9).rounded(.up)))
        let limit = min(f.count, Int(((r.deadline - f.start) / f.step + 1e-9).rounded(.down)))
        let def = Int(((r.defaultStart - f.start) / f.step + 1e-9).rounded(.down))
        guard def >= 0, def + d <= f.count else {
            throw Failure(message: "the forecast does not cover the default run (`\(d)` steps from step `\(def)` of `\(f.count)`)")
        }
        guard limit - first >= d else {
            throw Failure(message: "no room: the window holds `\(max(0, limit - first))` steps inside the forecast, the job needs `\(d)` (slack `\(r.slack)` s)")
        }
        for i in first..<limit where !f.values[i].isFinite {
            throw Failure(message: "the forecast has no value at step `\(i)`")
        }
        for i in def..<(def + d) where !f.values[i].isFinite {
            throw Failure(message: "the forecast has no value at step `\(i)` of the default run")
        }
        let defaultInside = def >= first && def + d <= limit
        let energy = r.power * f.step
        let resume = r.power * r.checkpointOverhead
        let defaultSlots = Array(def..<(def + d))
        let runningAt = r.running ? def : nil
        let defaultCost = cost(defaultSlots, energy: energy, resume: resume, runningAt: runningAt, values: f.values)

        var candidates: [(slots: [Int], note: String)] = []
        var note = ""
        let blocked = r.blocked
        if r.interruptible && d > 1 {
            if resume > 0, (limit - first) * (d + 1) <= maxSearchCells {
                if let slots = cheapestSteps(f.values, first, limit, d, energy: energy, resume: resume,
                                             runningFromStart: r.running && def == first, blocked: blocked) {
                    candidates.append((slots, ""))
                }
            } else {
                if resume > 0 { note = "; overheads not weighed (window too large)" }
                if let slots = lowestSteps(f.values, first, limit, d, blocked: blocked) { candidates.append((slots, note)) }
            }
        }
        if let slots = cheapestStart(f.values, first, limit, d, blocked: blocked) { candidates.append((slots, "")) }
        guard !candidates.isEmpty else {
            return makePlan(defaultSlots, .declined, defaultCost: defaultCost, saving: 0, sd: 0,
                            best: (defaultSlots, 0, 0), f: f, energy: energy, resume: resume, reason: "no room in the window")
        }

        var best: (slots: [Int], saving: Double, sd: Double)?
        for (slots, _) in candidates {
            let c = cost(slots, energy: energy, resume: resume, runningAt: runningAt, values: f.values)
            let sd = savingDeviation(defaultSlots, slots, energy: energy, resume: resume, runningAt: runningAt, sigmas: f.sigmas)
            let saving = defaultCost - c
            if best == nil { best = (slots, saving, sd) }
            // A saving under a millionth of the default's cost is numerical noise, not a
            // forecast (a model fitted on a constant series forecasts it to 1e-7): it does
            // not move work, so a flat forecast never does.
            let threshold = confidence > 0 ? confidence * sd : 0
            if saving > threshold, saving > 1e-6 * abs(defaultCost) {
                return makePlan(slots, .shifted, defaultCost: defaultCost, saving: saving, sd: sd, best: best!, f: f,
                                energy: energy, resume: resume,
                                reason: "expected saving exceeds \(confidence) × its uncertainty" + note)
            }
            if !defaultInside {
                return makePlan(slots, .required, defaultCost: defaultCost, saving: saving, sd: sd, best: best!, f: f,
                                energy: energy, resume: resume, reason: "the default run is outside the window")
            }
        }
        let why = best!.sd.isNaN && confidence > 0 ? "the forecast's uncertainty is unknown"
            : best!.saving <= 0 ? "no plan beats running now" : "expected saving does not exceed \(confidence) × its uncertainty"
        return makePlan(defaultSlots, .declined, defaultCost: defaultCost, saving: 0, sd: 0, best: best!, f: f,
                        energy: energy, resume: resume, reason: why)
    }

    private func makePlan(_ slots: [Int], _ decision: ShiftPlan.Decision, defaultCost: Double, saving: Double, sd: Double,
                          best: (slots: [Int], saving: Double, sd: Double), f: ShiftForecast, energy: Double, resume: Double,
                          reason: String) -> ShiftPlan {
        var segments: [ShiftPlan.Segment] = []
        for i in slots {
            let t = f.time(at: i)
            if let last = segments.last, abs(last.end - t) < 1e-6 { segments[segments.count - 1].end = t + f.step }
            else { segments.append(.init(start: t, end: t + f.step)) }
        }
        return ShiftPlan(segments: segments, decision: decision, expectedCost: defaultCost - saving, defaultCost: defaultCost,
                         uncertainty: sd, bestSaving: best.saving, bestUncertainty: best.sd,
                         interruptions: max(0, segments.count - 1), reason: reason)
    }

    /// Calls `body(step, joules)` for each slot: `energy`, plus the resume overhead at a slot
    /// that starts a run after a pause (and at the first slot when the job runs at step
    /// `runningAt` and the slots start later: it is checkpointed, then resumed).
    private func forEachWeight(_ slots: [Int], energy: Double, resume: Double, runningAt: Int? = nil, _ body: (Int, Double) -> Void) {
        for k in slots.indices {
            let resumes = k > 0 ? slots[k - 1] != slots[k] - 1 : runningAt.map { slots[0] != $0 } ?? false
            body(slots[k], energy + (resumes ? resume : 0))
        }
    }

    private func cost(_ slots: [Int], energy: Double, resume: Double, runningAt: Int? = nil, values: [Double]) -> Double {
        var total = 0.0
        forEachWeight(slots, energy: energy, resume: resume, runningAt: runningAt) { total += $1 * values[$0] }
        return total
    }

    private func savingDeviation(_ a: [Int], _ b: [Int], energy: Double, resume: Double, runningAt: Int? = nil,
                                 sigmas: [Double]) -> Double {
        guard let aFirst = a.first, let bFirst = b.first, let aLast = a.last, let bLast = b.last else { return 0 }
        let low = min(aFirst, bFirst), high = max(aLast, bLast)
        var delta = [Double](repeating: 0, count: high - low + 1)
        forEachWeight(a, energy: energy, resume: resume, runningAt: runningAt) { delta[$0 - low] += $1 }
        forEachWeight(b, energy: energy, resume: resume, runningAt: runningAt) { delta[$0 - low] -= $1 }
        var variance = 0.0
        for (k, w) in delta.enumerated() where w != 0 {
            let s = sigmas[low + k]
            if s.isNaN { return .nan }
            variance += w * w * s * s
        }
        return variance.squareRoot()
    }

    /// The contiguous run of `d` steps in `[first, limit)` with the lowest total (earliest on
    /// ties), free of blocked steps; nil when there is none.
    func cheapestStart(_ v: [Double], _ first: Int, _ limit: Int, _ d: Int, blocked: [Bool] = []) -> [Int]? {
        func isBlocked(_ i: Int) -> Bool { i < blocked.count && blocked[i] }
        var sum = 0.0, inside = 0
        for i in first..<(first + d) { sum += v[i]; if isBlocked(i) { inside += 1 } }
        var best: (sum: Double, start: Int)? = inside == 0 ? (sum, first) : nil
        var s = first + 1
        while s + d <= limit {
            sum += v[s + d - 1] - v[s - 1]
            if isBlocked(s + d - 1) { inside += 1 }
            if isBlocked(s - 1) { inside -= 1 }
            if inside == 0, best == nil || sum < best!.sum - 1e-12 * abs(best!.sum) { best = (sum, s) }
            s += 1
        }
        return best.map { Array($0.start..<($0.start + d)) }
    }

    /// The `d` lowest free steps of `[first, limit)` (earlier steps first on ties), in time
    /// order; nil when fewer than `d` are free.
    func lowestSteps(_ v: [Double], _ first: Int, _ limit: Int, _ d: Int, blocked: [Bool] = []) -> [Int]? {
        let free = (first..<limit).filter { !($0 < blocked.count && blocked[$0]) }
        guard free.count >= d else { return nil }
        let order = free.sorted { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        return order.prefix(d).sorted()
    }

    /// The `d` steps of `[first, limit)` with the lowest cost when each resume after a pause
    /// costs `resume × v` at the resuming step: dynamic programming over (steps chosen,
    /// whether the previous step runs, whether the job has started). `runningFromStart`: the
    /// job runs just before `first`, so not running at `first` is a pause.
    func cheapestSteps(_ v: [Double], _ first: Int, _ limit: Int, _ d: Int, energy: Double, resume: Double,
                       runningFromStart: Bool = false, blocked: [Bool] = []) -> [Int]? {
        let n = limit - first
        // States: 0 = not started, 1 = running (previous step chosen), 2 = paused.
        let inf = Double.infinity
        let width = (d + 1) * 3
        var cost = [Double](repeating: inf, count: width)
        var next = cost
        cost[runningFromStart ? 1 : 0] = 0
        // from[j * width + k * 3 + s]: the state the best path to (k chosen, state s) after step j came from.
        var from = [UInt8](repeating: 255, count: n * width)
        // Each cell of step j + 1 has one source count k (idle keeps k, running adds one), so
        // every cell is written once per step; ties keep the lower state, as a scan in state
        // order would. Unsafe buffers: this loop is most of the cost of carbon plans.
        cost.withUnsafeMutableBufferPointer { costBuffer in
        next.withUnsafeMutableBufferPointer { nextBuffer in
        from.withUnsafeMutableBufferPointer { fromBuffer in
            var now = costBuffer.baseAddress!, then = nextBuffer.baseAddress!
            let trace = fromBuffer.baseAddress!
            for j in 0..<n {
                let x = v[first + j]
                let open = !(first + j < blocked.count && blocked[first + j])
                let run = energy * x, rerun = energy * x + resume * x
                // Only counts that can still reach `d` matter: at most `j` steps are chosen
                // before step `j`, and at least `d - (n - j)` (the rest must fit in what is
                // left). The band is exact and makes the search O(n × min(d, n - d)).
                let lo = max(0, d - (n - j)), hi = min(d, j)
                let row = trace + j * width
                then[lo * 3 + 1] = inf
                if hi < d { then[(hi + 1) * 3] = inf; then[(hi + 1) * 3 + 2] = inf }
                for k in lo...hi {
                    let c0 = now[k * 3], c1 = now[k * 3 + 1], c2 = now[k * 3 + 2]
                    then[k * 3] = c0; row[k * 3] = 0
                    if c1 <= c2 { then[k * 3 + 2] = c1; row[k * 3 + 2] = 1 } else { then[k * 3 + 2] = c2; row[k * 3 + 2] = 2 }
                    guard k < d else { continue }
                    let target = (k + 1) * 3 + 1
                    guard open else { then[target] = inf; continue }
                    var best = c0 + run, state: UInt8 = 0
                    if c1 + run < best { best = c1 + run; state = 1 }
                    if c2 + rerun < best { best = c2 + rerun; state = 2 }
                    then[target] = best; row[target] = state
                }
                swap(&now, &then)
            }
            // The last step's costs are in `now`: make sure they end up in `cost`.
            if now != costBuffer.baseAddress! { costBuffer.baseAddress!.update(from: now, count: width) }
        }
        }
        }
        guard min(cost[d * 3 + 1], cost[d * 3 + 2]) < inf else { return nil }
        var s = cost[d * 3 + 1] <= cost[d * 3 + 2] ? 1 : 2
        var k = d
        var slots: [Int] = []
        for j in stride(from: n - 1, through: 0, by: -1) {
            let previous = Int(from[j * width + k * 3 + s])
            if s == 1 { slots.append(first + j); k -= 1 }
            s = previous
        }
        return slots.reversed()
    }
}
