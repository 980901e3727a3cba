/// What a control loop talks to: the simulator here, a Slurm or Kubernetes adapter later.
///
/// A tick is: `let world = try scheduler.snapshot()`, evaluate policies on it, then
/// `scheduler.apply(actions)`. Applying is per target and never all-or-nothing: each result
/// says applied, applied with no change (applying the same action twice is harmless), or
/// rejected with the reason (unknown ids with a did-you-mean, a running job cannot be
/// deferred, a suspended node cannot run jobs, caps outside the GPU's range, suspending a
/// node with running jobs, …; docs/cluster.md lists them all).
public protocol Scheduler {
    /// Everything a policy may read now.
    func snapshot() throws -> World
    /// Applies the actions in order, each target in order; one result per target (one per
    /// alert). An action with no targets gives no result.
    func apply(_ actions: [Action]) -> [ActionResult]
}
