// Embedding Watt in a host program: register a vocabulary, compile a policy, feed it a
// snapshot, read the proposed actions. Run with `swift run watt-embedding-example`.
import WattLanguage

// 1. The host's vocabulary: a record schema, names, a function and a verb.
var vocabulary = Vocabulary()
let rack = RecordSchema(name: "rack", fields: [
    FieldSchema("name", .string),
    FieldSchema("power", .quantity(.power)),
    FieldSchema("inlet", .optional(.quantity(.temperature)), doc: "inlet temperature; sensors can drop out"),
])
do {
    try vocabulary.register(rack)
    try vocabulary.register(HostName("racks", .list(.record("rack")), sizeHint: 50))
    try vocabulary.register(HostName("budget", .quantity(.power)))
    try vocabulary.register(HostFunction("derate", doc: "derate(p, fraction)", overloads: [
        FunctionOverload(parameters: [.anyQuantity(0), .exact(.number)], result: .anyQuantity(0), isPure: true) { args in
            guard case .number(let p) = args[0], case .number(let f) = args[1] else { return .missing }
            return .number(p * (1 - f))
        },
    ]))
    try vocabulary.register(VerbSignature("throttle", targets: [.exact(.list(.record("rack")))], slots: [
        SlotSignature("to", .exact(.quantity(.power)), required: true),
    ]))
} catch {
    print("vocabulary error: \(error)")
}

// 2. A policy, checked (names, types, units) and compiled once.
let policy = SourceFile(name: "racks.watt", text: """
    const margin = 5 %
    let total = sum(racks.power)
    rule hot_racks priority 5 {
      when total > derate(budget, margin) and any(racks, inlet > 30 degC)
      then throttle racks where inlet > 30 degC to 8 kW
    }
    """)
let compiled = Compilation.compile([policy], vocabulary: vocabulary)
print(DiagnosticRenderer.text(compiled.diagnostics), terminator: "")
guard let program = compiled.program else { fatalError("the example policy should compile") }

// 3. A snapshot of the world, evaluated; each action says which rule proposed it and why.
func rackValue(_ name: String, _ kW: Double, _ inlet: Double?) -> Value {
    .record(Record(schema: rack, fields: [.string(name), .number(kW * 1000), inlet.map { .number($0) } ?? .missing]))
}
var inputs = Inputs(vocabulary: vocabulary)
try? inputs.set("racks", .list([rackValue("r1", 11, 31), rackValue("r2", 9, 24), rackValue("r3", 10, nil)]))
try? inputs.set("budget", .number(28_000))
let evaluation = program.evaluate(inputs, now: 0)
for outcome in evaluation.outcomes {
    print("rule \(outcome.rule): \(outcome.status)")
    for action in outcome.actions { print("  " + action.describe(vocabulary: vocabulary)) }
    for term in outcome.explanation { print("  because " + term.rendered) }
}
