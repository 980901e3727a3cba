/// Mutable state of one evaluation: the host's inputs, memoized `let` values, the
/// elements bound by `where`/aggregates, the step budget and the explanation trace.
public final class EvalContext {
    public let inputs: [Value]
    public let now: Double
    var elements: [Value]
    /// When the element at a depth is a row of a table: the table (nil otherwise) and the
    /// row. Fields of such an element are read from the table's columns, unboxed.
    var rowTables: [Table?]
    var rowIndices: [Int]
    /// The row last boxed at each depth: a host function called twice on the same row
    /// (`f(job).a and f(job).b`) gets the same record, built once. Tables do not change
    /// during an evaluation, so (table, row) names the record.
    private var boxedRows: [(table: Table, row: Int, record: Record)?]
    var letCache: [LetState]
    var steps = 0
    var stepLimit: Int
    /// Polled every `pollInterval` steps when set: true stops the evaluation (`.interrupted`).
    var interrupted: (() -> Bool)? { didSet { nextPoll = interrupted == nil ? Int.max : steps } }
    private var nextPoll = Int.max
    static let pollInterval = 65_536
    /// When non-nil, comparisons record their operands (used to explain a firing rule).
    var trace: [ExplanationTerm]?
    /// The program whose `let` definitions this evaluation may compute.
    weak var program: Program?

    enum LetState { case pending, computing, done(Value), failed(EvalError) }

    init(inputs: [Value], now: Double, elementDepth: Int, letCount: Int, stepLimit: Int) {
        self.inputs = inputs
        self.now = now
        self.elements = Array(repeating: .missing, count: max(1, elementDepth))
        self.rowTables = Array(repeating: nil, count: max(1, elementDepth))
        self.rowIndices = Array(repeating: 0, count: max(1, elementDepth))
        self.boxedRows = Array(repeating: nil, count: max(1, elementDepth))
        self.letCache = Array(repeating: .pending, count: letCount)
        self.stepLimit = stepLimit
    }

    /// The element at `depth`, boxed (a row becomes a record).
    @inline(__always)
    func element(_ depth: Int) -> Value {
        guard let table = rowTables[depth] else { return elements[depth] }
        let row = rowIndices[depth]
        if let boxed = boxedRows[depth], boxed.row == row, boxed.table === table { return .record(boxed.record) }
        let record = table.record(at: row)
        boxedRows[depth] = (table, row, record)
        return .record(record)
    }

    /// Field `index` of the element at `depth`.
    @inline(__always)
    func elementField(_ depth: Int, _ index: Int) -> Value? {
        if let table = rowTables[depth] { return table.value(row: rowIndices[depth], field: index) }
        guard case .record(let rec) = elements[depth] else { return nil }
        return rec.fields[index]
    }

    @inline(__always)
    func bind(_ depth: Int, _ value: Value) {
        rowTables[depth] = nil
        elements[depth] = value
    }

    @inline(__always)
    func step(_ count: Int = 1) throws(EvalError) {
        steps &+= count
        if steps > stepLimit { throw .budgetExceeded(limit: stepLimit) }
        if steps >= nextPoll { try poll() }
    }

    @inline(never)
    private func poll() throws(EvalError) {
        nextPoll = steps &+ Self.pollInterval
        if interrupted?() == true { throw .interrupted }
    }
}

/// One comparison in a rule's condition and the values on each side when it was evaluated.
public struct ExplanationTerm: Sendable, Equatable {
    public var text: String
    public var op: String
    public var result: Bool
    public var range: SourceRange
    /// The operands as evaluated. They are formatted only when the explanation is shown:
    /// formatting quantities costs more than evaluating most rules.
    var leftOperand: Operand?
    var rightOperand: Operand?

    struct Operand: Sendable, Equatable {
        var value: Value
        var type: WattType
        var unit: String?
        /// The operand's source text; nil for a literal (shown as its value alone).
        var source: String?

        var formatted: String {
            let shown = ValueFormatter.format(value, type, unit: unit, maxItems: 5)
            return source.map { "`\($0)` = \(shown)" } ?? shown
        }
    }

    init(text: String, op: String, left: Operand?, right: Operand?, result: Bool, range: SourceRange) {
        self.text = text
        self.op = op
        self.leftOperand = left
        self.rightOperand = right
        self.result = result
        self.range = range
    }

    public var left: String { leftOperand?.formatted ?? "" }
    public var right: String { rightOperand?.formatted ?? "" }

    public var rendered: String {
        op.isEmpty ? "`\(text)` is \(result)" : "\(text): \(left) \(op) \(right) is \(result)"
    }
}
