/// Mutable state of one evaluation: the host's inputs, memoized `let` values, the
/// elements bound by `where`/aggregates, the step budget and the explanation trace.
public final class EvalContext {
    public let inputs: [Value]
    public let now: Double
    var elements: [Value]
    var letCache: [LetState]
    var steps = 0
    var stepLimit: Int
    /// When non-nil, comparisons record their operands (used to explain a firing rule).
    var trace: [ExplanationTerm]?
    /// The program whose `let` definitions this evaluation may compute.
    weak var program: Program?

    enum LetState { case pending, computing, done(Value), failed(EvalError) }

    init(inputs: [Value], now: Double, elementDepth: Int, letCount: Int, stepLimit: Int) {
        self.inputs = inputs
        self.now = now
        self.elements = Array(repeating: .missing, count: max(1, elementDepth))
        self.letCache = Array(repeating: .pending, count: letCount)
        self.stepLimit = stepLimit
    }

    @inline(__always)
    func step(_ count: Int = 1) throws(EvalError) {
        steps &+= count
        if steps > stepLimit { throw .budgetExceeded(limit: stepLimit) }
    }
}

/// One comparison in a rule's condition and the values on each side when it was evaluated.
public struct ExplanationTerm: Sendable, Equatable {
    public var text: String
    public var left: String
    public var op: String
    public var right: String
    public var result: Bool
    public var range: SourceRange

    public var rendered: String {
        op.isEmpty ? "`\(text)` is \(result)" : "\(text): \(left) \(op) \(right) is \(result)"
    }
}
