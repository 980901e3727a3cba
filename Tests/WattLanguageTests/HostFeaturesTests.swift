import Testing
@testable import WattLanguage

/// Host features used by the energy bindings: records that stand for a value (a forecast
/// is its mean next to a quantity) and telemetry-path parameters.
@Suite struct HostFeaturesTests {
    static let vocabulary: Vocabulary = {
        var v = Vocabulary()
        let site = RecordSchema(name: "site", fields: [FieldSchema("power", .quantity(.power)), FieldSchema("name", .string)])
        let forecast = RecordSchema(name: "forecast", fields: [
            FieldSchema("mean", .quantity(.power)), FieldSchema("low", .quantity(.power)), FieldSchema("high", .quantity(.power)),
        ], valueField: "mean")
        try! v.register(site)
        try! v.register(forecast)
        try! v.register(HostName("site", .record("site")))
        try! v.register(HostFunction("forecast", overloads: [
            FunctionOverload(parameters: [.path(0), .exact(.duration)], parameterNames: ["metric", "horizon"],
                             result: .exact(.record("forecast"))) { args in
                // The path arrives as text, so the host can look up that metric's history.
                guard case .string(let path) = args[0], case .number(let horizon) = args[1] else { return .missing }
                let base = path == "site.power" ? 800_000.0 : 0
                return .record(Record(schema: forecast, fields: [.number(base + horizon), .number(base - 50_000), .number(base + 50_000)]))
            },
        ]))
        try! v.register(HostFunction("history_avg", overloads: [
            FunctionOverload(parameters: [.path(0)], result: .anyQuantity(0)) { args in
                guard case .string(let path) = args[0] else { return .missing }
                return .number(Double(path.count))
            },
        ]))
        try! v.register(VerbSignature("cap", targets: [], slots: [SlotSignature("at", .exact(.quantity(.power)), required: true)]))
        return v
    }()

    func eval(_ text: String) -> String {
        var inputs = Inputs(vocabulary: Self.vocabulary)
        let schema = Self.vocabulary.schemas["site"]!
        try! inputs.set("site", .record(Record(schema: schema, fields: [.number(750_000), .string("a")])))
        switch ExpressionEvaluator.evaluate(SourceFile(name: "e", text: text), vocabulary: Self.vocabulary, inputs: inputs, now: 0) {
        case .success(let r): return r.formatted
        case .failure(.diagnostics(let d)): return "error \(d.first!.code.rawValue): \(d.first!.message)"
        case .failure(.evaluation(let d)): return "error \(d.code.rawValue): \(d.message)"
        }
    }

    @Test func valueRecordsCoerceToTheirValueField() {
        #expect(eval("forecast(site.power, 1 h) > 900 kW") == "false")
        #expect(eval("forecast(site.power, 1 h) > 700 kW") == "true")
        #expect(eval("forecast(site.power, 1 h).high") == "850 kW")
        #expect(eval("forecast(site.power, 0 h) - site.power") == "50 kW")
        #expect(eval("max(forecast(site.power, 1 h), 1 MW)") == "1 MW")
        #expect(eval("-forecast(site.power, 0 h)") == "-800 kW")
    }

    @Test func pathParametersReceiveThePathText() {
        #expect(eval("history_avg(site.power)") == "10 W")
        #expect(eval("history_avg(site.name)").hasPrefix("error E0403"))
        #expect(eval("history_avg(site.power * 2)") == "error E0402: `history_avg` needs a telemetry path such as `site.power` here, found `site.power * 2`")
    }

    @Test func valueRecordsInSlots() {
        let result = Compilation.compile([SourceFile(name: "p", text: "if true then cap at forecast(site.power, 1 h)")],
                                         vocabulary: Self.vocabulary)
        #expect(!result.hasErrors, "\(DiagnosticRenderer.text(result.diagnostics))")
    }
}
