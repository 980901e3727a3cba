/// Evaluates `const` definitions (and `for`/`cooldown`/`priority`) once, at check time.
enum ConstEvaluator {
    enum Outcome { case success(Value), failure(String) }

    static func evaluate(_ e: TypedExpr, maxDepth: Int) -> Outcome {
        if case .constant(let v) = e.kind { return .success(v) }
        let compiler = Compiler(source: nil, letValue: { _, _ throws(EvalError) in throw .host(SourceRange.none, "a let in a const") })
        let f = compiler.value(e)
        let ctx = EvalContext(inputs: [], now: 0, elementDepth: maxDepth + 1, letCount: 0, stepLimit: 10_000_000)
        do {
            return .success(try f(ctx))
        } catch {
            switch error {
            case .missing(_, let what): return .failure("`\(what)` has no value")
            case .budgetExceeded(let limit): return .failure("it takes more than \(limit) steps")
            case .interrupted: return .failure("it was interrupted")
            case .arithmetic(_, let message), .host(_, let message): return .failure(message)
            }
        }
    }
}
