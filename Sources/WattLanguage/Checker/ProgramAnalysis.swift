/// A whole-program check that a host registers with its vocabulary, so that every entry
/// point compiling against that vocabulary (`watt check`, `watt run` and its hot reload,
/// `watt test`, the REPL) runs it: it sees the typed program after checking found no errors,
/// and reports diagnostics (usually warnings, such as rules that fight).
public struct ProgramAnalysis: Sendable {
    public var name: String
    public var run: @Sendable (CheckedProgram, Vocabulary) -> [Diagnostic]
    public init(name: String, run: @escaping @Sendable (CheckedProgram, Vocabulary) -> [Diagnostic]) {
        self.name = name
        self.run = run
    }
}
