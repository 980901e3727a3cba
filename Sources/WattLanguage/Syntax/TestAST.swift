/// `test "name" [with a, b in [..], [..]] { steps }`: a unit test of the policies beside it.
/// The language core only parses and formats tests; a host (the `watt test` runner) gives
/// the steps their meaning against its vocabulary.
public struct TestDecl: Sendable {
    public var name: String
    public var nameRange: SourceRange
    /// Table-driven tests: the parameter names and one row of values per case.
    public var parameters: [Identifier]
    public var rows: [TestRow]
    public var steps: [TestStep]
    public var range: SourceRange
}

public struct TestRow: Sendable {
    public var values: [Expr]
    public var range: SourceRange
}

public struct TestStep: Sendable {
    public enum Kind: Sendable {
        /// `given cluster "fixtures/site.yaml"`, `given tick 5 min`: a setting of the test.
        case setting(name: Identifier, value: Expr)
        /// `given site.power = 800 kW, 900 kW every 5 min`: what a path reads from now on,
        /// one value per step (the last one holds); one value is a constant.
        case series(target: Expr, values: [Expr], every: Expr?)
        /// `after 3 ticks`.
        case afterTicks(count: Expr)
        /// `after 30 min`.
        case after(duration: Expr)
        /// `expect rule shave_peak firing`.
        case expectRule(rule: Identifier, state: Identifier)
        /// `expect [no] move job "j1" to pool "efficient"`: an action on the ticks run by the
        /// last `after` (with `no`: none such).
        case expectAction(negated: Bool, verb: Identifier, kind: Identifier?, id: Expr?, slots: [Slot])
        /// `expect site.power < 1 MW`: a condition on the world now.
        case expectValue(Expr)
    }
    public var kind: Kind
    public var range: SourceRange
}
