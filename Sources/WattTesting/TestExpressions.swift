import WattLanguage

/// Evaluates expressions written in a test file against the vocabulary and a tick's inputs,
/// with the row's parameters of a table-driven test as definitions. The expression is
/// evaluated from a copy of the file with everything else blanked out, so diagnostics
/// point at the right line and column of the test file.
struct TestExpressions {
    let file: SourceFile
    let vocabulary: Vocabulary
    let definitions: [SourceUnit]
    private var masked: [Int: SourceFile] = [:]

    init(file: SourceFile, vocabulary: Vocabulary, parameters: [Identifier], row: TestRow?, rowNumber: Int) {
        self.file = file
        self.vocabulary = vocabulary
        if let row, !parameters.isEmpty {
            let text = zip(parameters, row.values).map { "let \($0.name) = \(file.text($1.range))" }.joined(separator: "\n")
            let source = SourceFile(name: "\(file.name) (row \(rowNumber))", text: text + "\n")
            definitions = [Parser.parse(source).unit]
        } else {
            definitions = []
        }
    }

    /// The file's bytes with everything outside `range` turned into spaces (line breaks kept).
    func isolated(_ range: SourceRange) -> SourceFile {
        var bytes = file.bytes
        for i in bytes.indices where (i < range.start || i >= range.end) && bytes[i] != 10 { bytes[i] = 32 }
        return SourceFile(name: file.name, bytes: bytes)
    }

    func evaluate(_ expr: Expr, inputs: Inputs, now: Double) -> Result<ExpressionResult, TestFailure> {
        switch ExpressionEvaluator.evaluate(isolated(expr.range), vocabulary: vocabulary, inputs: inputs, now: now, definitions: definitions) {
        case .success(let r): return .success(r)
        case .failure(.diagnostics(let ds)): return .failure(TestFailure(range: expr.range, message: DiagnosticRenderer.text(ds)))
        case .failure(.evaluation(let d)): return .failure(TestFailure(range: expr.range, message: DiagnosticRenderer.text([d])))
        }
    }
}

/// Why a test failed or could not run, at a step of the test file.
public struct TestFailure: Error, Sendable {
    public var range: SourceRange
    public var message: String
}
