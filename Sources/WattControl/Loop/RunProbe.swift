/// Places in a run where a test harness may act: the start of a tick, the tick applied
/// (with its 1-based number, counting replayed ticks), each stage of the tick's journal
/// transaction and its commit. Crash tests kill the process at one of them; the run itself
/// never acts on them (production runs have no probe).
public enum RunPoint: Sendable, Equatable {
    case tickStarted
    case tickApplied(Int)
    case journal
    case journalCommitted
}

public protocol RunProbe: AnyObject {
    func reached(_ point: RunPoint)
}
