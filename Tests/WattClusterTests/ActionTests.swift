import Testing
import WattEnergy
@testable import WattCluster

/// Every action: applied, rejected with the exact reason, and applied twice (harmless).
@Suite struct ActionTests {
    /// Pools `default` (2 × 8 H100), `efficient` (2 × 4 L40S), `cpu` (1 CPU node). At the start
    /// `run` and `fixed` fill the default pool; `wait`, `small`, `inf` and `dl` queue there.
    static func sim() -> Simulator {
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 2), ("efficient", "l40s-4gpu", 2), ("cpu", "cpu-epyc-9654-2s", 1)])
        return Fixture.simulator(cluster, jobs: [
            Fixture.job("run", gpus: 8, duration: 36_000),
            Fixture.job("fixed", gpus: 8, duration: 36_000, flexible: false),
            Fixture.job("wait", gpus: 8),
            Fixture.job("small", gpus: 1),
            Fixture.job("inf", gpus: 1, flexible: false),
            Fixture.job("dl", gpus: 1, duration: 3600, deadline: 7200),
            Fixture.job("later", at: 86_400),
        ])
    }

    func one(_ sim: Simulator, _ action: Action) -> (ActionResult.Status, String) {
        let results = sim.apply([action])
        #expect(results.count == 1)
        return (results[0].status, results[0].detail)
    }

    @Test func startingState() {
        let w = Self.sim().snapshot()
        #expect(w.job("run")?.state == .running && w.job("run")?.node == "default-001")
        #expect(w.job("fixed")?.state == .running && w.job("fixed")?.node == "default-002")
        for id in ["wait", "small", "inf", "dl"] { #expect(w.job(id)?.state == .queued) }
        #expect(w.job("later") == nil)
    }

    // MARK: move

    @Test func moveToPool() {
        let s = Self.sim()
        #expect(one(s, .move(jobs: ["small"], toPool: "efficient")) == (.applied, "moved from pool `default` to pool `efficient`"))
        #expect(one(s, .move(jobs: ["small"], toPool: "efficient")) == (.unchanged, "already in pool `efficient`"))
        #expect(s.snapshot().job("small")?.pool == "efficient")
        #expect(s.invariantViolations().isEmpty)
    }

    @Test func moveRejections() {
        let s = Self.sim()
        #expect(one(s, .move(jobs: ["wait"], toPool: "efficient"))
                == (.rejected, "job `wait` needs 8 GPUs but nodes of pool `efficient` have 4 (a job runs on one node)"))
        #expect(one(s, .move(jobs: ["run"], toPool: "efficent")) == (.rejected, "unknown pool `efficent`; did you mean `efficient`?"))
        #expect(one(s, .move(jobs: ["fixed"], toNode: "default-001"))
                == (.rejected, "job `fixed` is running and not preemptible, so it cannot be moved"))
        #expect(one(s, .move(jobs: ["smal"], toPool: "efficient")) == (.rejected, "unknown job `smal`; did you mean `small`?"))
        #expect(one(s, .move(jobs: ["later"], toPool: "efficient"))
                == (.rejected, "job `later` is not submitted yet (it is submitted at 2020-01-07T00:00:00Z)"))
        #expect(one(s, .move(jobs: ["small"], toNode: "cpu-001")) == (.rejected, "job `small` needs 1 GPU but node `cpu-001` has 0"))
        #expect(s.apply([.suspend(nodes: ["efficient-002"])]).first?.status == .applied)
        #expect(one(s, .move(jobs: ["small"], toNode: "efficient-002"))
                == (.rejected, "node `efficient-002` is suspended; a suspended node cannot run jobs (wake it first)"))
        #expect(s.snapshot().job("small")?.pool == "default")
    }

    @Test func moveRunningJobToNodeCheckpointsIt() {
        let s = Self.sim()
        #expect(one(s, .move(jobs: ["run"], toNode: "efficient-001"))
                == (.rejected, "job `run` needs 8 GPUs but node `efficient-001` has 4"))
        #expect(one(s, .move(jobs: ["run"], toNode: "default-001")) == (.unchanged, "already running on node `default-001`"))
        #expect(one(s, .move(jobs: ["run"], toNode: "default-002"))
                == (.applied, "checkpointed on node `default-001` and requeued for node `default-002`"))
        #expect(one(s, .move(jobs: ["run"], toNode: "default-002")) == (.unchanged, "already pinned to node `default-002`"))
        let w = s.snapshot()
        #expect(w.job("run")?.state == .queued && w.job("run")?.node == "default-002")
        #expect(w.node("default-001")?.state == .idle)
        #expect(s.invariantViolations().isEmpty)
        // The pinned job waits for its node; the free node takes the next queued 8-GPU job.
        s.step()
        let after = s.snapshot()
        #expect(after.job("run")?.state == .queued)
        #expect(after.job("wait")?.node == "default-001")
    }

    // MARK: defer

    @Test func deferForAndUntil() {
        let s = Self.sim()
        #expect(one(s, .deferJobs(["small"], for: 3600)) == (.applied, "deferred until 2020-01-06T01:00:00Z"))
        #expect(one(s, .deferJobs(["small"], for: 3600)) == (.unchanged, "already deferred until 2020-01-06T01:00:00Z"))
        #expect(one(s, .deferJobs(["small"], until: Fixture.start + 7200))
                == (.applied, "deferred until 2020-01-06T02:00:00Z (was 2020-01-06T01:00:00Z)"))
        #expect(s.snapshot().job("small")?.state == .deferred)
        #expect(s.invariantViolations().isEmpty)
    }

    @Test func deferRejections() {
        let s = Self.sim()
        #expect(one(s, .deferJobs(["run"], for: 3600))
                == (.rejected, "job `run` is running; a running job cannot be deferred (preempt it first)"))
        #expect(one(s, .deferJobs(["inf"], for: 3600)) == (.rejected, "job `inf` is not flexible"))
        #expect(one(s, .deferJobs(["dl"], for: 7200))
                == (.rejected, "deferring job `dl` until 2020-01-06T02:00:00Z would miss its deadline 2020-01-06T02:00:00Z (3600 s of work left)"))
        #expect(one(s, .deferJobs(["dl"], for: 1800)) == (.applied, "deferred until 2020-01-06T00:30:00Z"))
        #expect(one(s, .deferJobs(["small"], until: Fixture.start - 1))
                == (.rejected, "defer until 2020-01-05T23:59:59Z is not after now (2020-01-06T00:00:00Z)"))
        #expect(one(s, .deferJobs(["small"], for: -60)) == (.rejected, "a defer duration must be a positive number of seconds, found -60"))
        #expect(s.hold(job: "wait"))
        #expect(one(s, .deferJobs(["wait"], for: 60)) == (.rejected, "job `wait` is held by an operator"))
    }

    @Test func deferredJobsComeBackOnTime() {
        let s = Self.sim()
        _ = s.apply([.deferJobs(["small"], for: 900)])
        s.step(); s.step()
        #expect(s.snapshot().job("small")?.state == .deferred)
        s.step()
        #expect(s.now == Fixture.start + 900)
        #expect(s.snapshot().job("small")?.state == .queued)
    }

    // MARK: release

    @Test func release() {
        let s = Self.sim()
        _ = s.apply([.deferJobs(["small"], for: 3600)])
        #expect(one(s, .release(jobs: ["small"])) == (.applied, "queued again in pool `default`"))
        #expect(one(s, .release(jobs: ["small"])) == (.unchanged, "already queued"))
        #expect(one(s, .release(jobs: ["run"])) == (.rejected, "job `run` is running, not deferred"))
        s.hold(job: "wait")
        #expect(one(s, .release(jobs: ["wait"])) == (.rejected, "job `wait` is held by an operator, not deferred"))
        #expect(s.unhold(job: "wait"))
        #expect(s.snapshot().job("wait")?.state == .queued)
        #expect(s.invariantViolations().isEmpty)
    }

    // MARK: preempt

    @Test func preempt() {
        let s = Self.sim()
        #expect(one(s, .preempt(jobs: ["run"])) == (.applied, "checkpointed on node `default-001` and requeued in pool `default`"))
        #expect(one(s, .preempt(jobs: ["run"])) == (.unchanged, "already queued"))
        #expect(one(s, .preempt(jobs: ["fixed"])) == (.rejected, "job `fixed` is not preemptible"))
        _ = s.apply([.deferJobs(["small"], for: 600)])
        #expect(one(s, .preempt(jobs: ["small"])) == (.rejected, "job `small` is not running (deferred)"))
        #expect(s.invariantViolations().isEmpty)
        // The checkpoint costs `checkpoint_overhead_s` (60 s) of work.
        let w = s.snapshot().job("run")!
        #expect(w.remainingTime == 36_060)
    }

    /// A planned interruption: checkpointed now, held, resumed at the time asked with the
    /// checkpoint's overhead added to its work, and done before its deadline; a hold that
    /// would miss the deadline is refused.
    @Test func preemptUntilCheckpointsHoldsAndResumes() {
        let s = Fixture.simulator(jobs: [Fixture.job("train", gpus: 8, duration: 7200, deadline: 6 * 3600)])
        s.advance(by: 1800)
        let start = Fixture.start
        #expect(s.snapshot().job("train")?.state == .running)
        #expect(one(s, .preempt(jobs: ["train"], until: start + 5 * 3600)).0 == .rejected)  // 1.5 h left + 60 s after 5 h > 6 h
        let resume = start + 3 * 3600
        #expect(one(s, .preempt(jobs: ["train"], until: resume)) == (.applied, "checkpointed on node `default-001` and held until 2020-01-06T03:00:00Z"))
        let held = s.snapshot().job("train")
        #expect(held?.state == .deferred)
        #expect(abs((held?.remainingTime ?? 0) - (5400 + 60)) < 1)        // the checkpoint costs 60 s of work
        s.run(until: resume - 300)
        #expect(s.snapshot().job("train")?.state == .deferred)    // held until then
        s.run(until: resume + 300)
        #expect(s.snapshot().job("train")?.state == .running)     // resumed
        s.run(until: start + 5 * 3600)                            // done jobs stay listed for an hour
        let done = s.snapshot().job("train")
        #expect(done?.state == .done)
        let finished = done?.finished ?? .infinity
        #expect(finished >= resume + 5400 + 60 - 1)
        #expect(finished <= start + 6 * 3600)                     // deadline kept
        #expect(s.invariantViolations().isEmpty)
    }

    @Test func doneJobsCannotBeMoved() {
        let s = Fixture.simulator(jobs: [Fixture.job("quick", duration: 300)])
        s.step()
        #expect(s.snapshot().job("quick")?.state == .done)
        #expect(one(s, .move(jobs: ["quick"], toPool: "default")) == (.rejected, "job `quick` is done"))
        #expect(one(s, .preempt(jobs: ["quick"])) == (.rejected, "job `quick` is not running (done)"))
        #expect(one(s, .release(jobs: ["quick"])) == (.rejected, "job `quick` is done"))
    }

    // MARK: cap

    @Test func capAndUncap() {
        let s = Self.sim()
        let before = s.snapshot().node("default-001")!.power!
        #expect(one(s, .cap(nodes: ["default-001"], atWatts: 400)) == (.applied, "GPUs capped at 400 W (was uncapped)"))
        let again = s.apply([.cap(nodes: ["default-001"], atWatts: 400)])[0]
        #expect(again.status == .unchanged)
        #expect(again.description == "cap at 400 W `default-001`: applied (no change): already capped at 400 W per GPU")
        let capped = s.snapshot().node("default-001")!
        #expect(capped.powerCap == 400)
        // Eight GPUs at 700 W drop to 400 W.
        #expect(close(before - capped.power!, 8 * 300))
        #expect(one(s, .cap(nodes: ["default-001"], atWatts: 150))
                == (.rejected, "cap 150 W is outside the GPU cap range 200–700 W of `h100-sxm5-80gb`"))
        #expect(one(s, .cap(nodes: ["default-001"], atWatts: .nan)) == (.rejected, "a cap must be a finite number of watts, found nan"))
        #expect(one(s, .cap(nodes: ["cpu-001"], atWatts: 300)) == (.rejected, "node `cpu-001` has no GPUs to cap"))
        #expect(one(s, .cap(nodes: ["default-01"], atWatts: 300)) == (.rejected, "unknown node `default-01`; did you mean `default-001`?"))
        #expect(one(s, .uncap(nodes: ["default-001"])) == (.applied, "GPU cap removed (was 400 W)"))
        #expect(one(s, .uncap(nodes: ["default-001"])) == (.unchanged, "not capped"))
        #expect(s.snapshot().node("default-001")!.power! == before)
    }

    // MARK: suspend and wake

    @Test func suspendAndWake() {
        let s = Self.sim()
        #expect(one(s, .suspend(nodes: ["efficient-001"])) == (.applied, "suspended"))
        #expect(one(s, .suspend(nodes: ["efficient-001"])) == (.unchanged, "already suspended"))
        #expect(one(s, .suspend(nodes: ["default-001"]))
                == (.rejected, "node `default-001` has 1 running job (`run`); only idle nodes can be suspended"))
        #expect(one(s, .wake(nodes: ["efficient-001"])) == (.applied, "waking, up at 2020-01-06T00:06:00Z"))
        #expect(one(s, .wake(nodes: ["efficient-001"])) == (.unchanged, "already waking"))
        #expect(one(s, .suspend(nodes: ["efficient-001"])) == (.rejected, "node `efficient-001` is waking"))
        #expect(one(s, .wake(nodes: ["default-001"])) == (.unchanged, "already on"))
        #expect(one(s, .wake(nodes: ["efficient-002"])) == (.unchanged, "already on"))
        _ = s.apply([.move(jobs: ["small"], toNode: "efficient-002")])
        #expect(one(s, .suspend(nodes: ["efficient-002"])) == (.rejected, "node `efficient-002` has waiting jobs pinned to it (`small`)"))
        #expect(s.invariantViolations().isEmpty)
    }

    // MARK: drain and resume

    @Test func drainKeepsRunningJobsAndTakesNoNewOnes() {
        let s = Self.sim()
        #expect(one(s, .drain(nodes: ["default-001"])) == (.applied, "draining (1 running job to finish)"))
        #expect(one(s, .drain(nodes: ["default-001"])) == (.unchanged, "already draining"))
        #expect(one(s, .drain(nodes: ["efficient-001"])) == (.applied, "draining (no running jobs)"))
        var w = s.snapshot()
        #expect(w.node("default-001")?.state == .draining && w.job("run")?.state == .running && w.job("run")?.node == "default-001")
        #expect(w.node("efficient-001")?.gpusFree == 0, "a draining node offers nothing")
        // A job moved to pool `efficient` goes to the node that is not draining.
        #expect(one(s, .move(jobs: ["small"], toPool: "efficient")).0 == .applied)
        #expect(one(s, .move(jobs: ["inf"], toNode: "efficient-001"))
                == (.rejected, "node `efficient-001` is draining; it takes no new jobs (resume it first)"))
        #expect(one(s, .suspend(nodes: ["efficient-001"])) == (.rejected, "node `efficient-001` is draining; resume it before suspending"))
        s.step()
        w = s.snapshot()
        #expect(w.job("small")?.node == "efficient-002")
        #expect(w.node("efficient-001")?.state == .draining && w.node("efficient-001")?.jobs == [])
        #expect(s.invariantViolations().isEmpty)
    }

    @Test func resumeReturnsANodeToService() {
        let s = Self.sim()
        _ = s.apply([.drain(nodes: ["default-001", "efficient-001"])])
        #expect(one(s, .resume(nodes: ["default-001"])) == (.applied, "back in service (on)"))
        #expect(one(s, .resume(nodes: ["efficient-001"])) == (.applied, "back in service (idle)"))
        #expect(one(s, .resume(nodes: ["efficient-001"])) == (.unchanged, "not draining"))
        #expect(one(s, .resume(nodes: ["default-002"])) == (.unchanged, "not draining"))
        _ = s.apply([.suspend(nodes: ["efficient-002"])])
        #expect(one(s, .resume(nodes: ["efficient-002"])) == (.rejected, "node `efficient-002` is suspended, not draining (wake it)"))
        #expect(one(s, .drain(nodes: ["efficient-002"])) == (.rejected, "node `efficient-002` is suspended; only nodes in service can be drained"))
        _ = s.apply([.wake(nodes: ["efficient-002"])])
        #expect(one(s, .drain(nodes: ["efficient-002"])) == (.rejected, "node `efficient-002` is waking; only nodes in service can be drained"))
        #expect(one(s, .drain(nodes: ["nope"])).0 == .rejected)
        // Resumed, the idle node takes work again.
        _ = s.apply([.move(jobs: ["small"], toNode: "efficient-001")])
        s.step()
        #expect(s.snapshot().job("small")?.node == "efficient-001")
        #expect(s.invariantViolations().isEmpty)
    }

    /// A drained node whose last job finishes stays draining (idle, taking nothing) until resumed.
    @Test func aDrainedNodeStaysOutOfServiceWhenItsJobsEnd() {
        let s = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)]), jobs: [
            Fixture.job("short", gpus: 8, duration: 600), Fixture.job("next", gpus: 8, duration: 600),
        ])
        _ = s.apply([.drain(nodes: ["default-001"])])
        s.advance(by: 3600)
        let w = s.snapshot()
        #expect(w.job("short")?.state == .done)
        #expect(w.job("next")?.state == .queued, "nothing starts on a draining node")
        #expect(w.node("default-001")?.state == .draining)
        _ = s.apply([.resume(nodes: ["default-001"])])
        s.step()
        #expect(s.snapshot().job("next")?.state == .running)
        #expect(s.invariantViolations().isEmpty)
    }

    // MARK: alert

    @Test func alerts() {
        let s = Self.sim()
        #expect(one(s, .alert("site near its cap", severity: "warning", rule: "cap_watch")) == (.applied, "raised"))
        #expect(one(s, .alert("site near its cap", severity: "warning", rule: "cap_watch")) == (.unchanged, "already raised at this tick"))
        #expect(one(s, .alert("site near its cap", severity: "warn")) == (.rejected, "unknown severity `warn`; did you mean `warning`?"))
        #expect(one(s, .alert("x", severity: "loud")) == (.rejected, "unknown severity `loud`; expected `info`, `warning` or `critical`"))
        #expect(one(s, .alert("  ", severity: "info")) == (.rejected, "an alert needs a message"))
        #expect(s.alerts.count == 1 && s.alerts[0].rule == "cap_watch")
        s.step()
        #expect(one(s, .alert("site near its cap", severity: "warning", rule: "cap_watch")) == (.applied, "raised"))
    }

    // MARK: batches

    @Test func oneResultPerTargetInOrder() {
        let s = Self.sim()
        let results = s.apply([
            .cap(nodes: ["default-001", "nope", "default-001"], atWatts: 500, rule: "r1", reason: "peak"),
            .uncap(nodes: []),
            .alert("hello", severity: "info"),
        ])
        #expect(results.map(\.status) == [.applied, .rejected, .unchanged, .applied])
        #expect(results.map(\.target) == ["default-001", "nope", "default-001", nil])
        #expect(results[0].action.rule == "r1" && results[0].action.reason == "peak")
        #expect(results[1].detail == "unknown node `nope`")
    }

    @Test func actionDescriptions() {
        #expect(Action.move(jobs: ["a", "b"], toPool: "batch", rule: "shift").description == "move to pool `batch` [`a`, `b`] (rule shift)")
        #expect(Action.deferJobs(["a"], for: 7200).description == "defer for 7200 s [`a`]")
        #expect(Action.deferJobs(["a"], until: Fixture.start).verb == "defer until 2020-01-06T00:00:00Z")
        #expect(Action.alert("too hot", severity: "critical").description == "alert critical `too hot`")
    }
}
