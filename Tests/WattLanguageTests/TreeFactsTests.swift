import Foundation
import Testing
@testable import WattLanguage

/// The checker computes a tree's evaluation depth, cost and let reads in one walk
/// (`Checker.facts`); `evaluationDepth`, `estimateCost` and `visitLets` define them. Over
/// every corpus file that checks, and a policy with chains of lets, the two must agree.
@Suite struct TreeFactsTests {
    static let chains: String = {
        var text = "const limit_0 = 10 kW\n"
        for i in 0..<40 {
            text += "let hot_\(i) = nodes where temperature > \(60 + i) degC and power > limit_0\n"
            text += "let n_\(i) = count(hot_\(i)) + \(i == 0 ? "0" : "n_\(i - 1)")\n"
            text += "let busy_\(i) = jobs where gpus >= \(1 + i % 8) and (if n_\(i) > 2 then flexible else not flexible)\n"
            text += "rule r_\(i) { when n_\(i) > \(i) and count(busy_\(i)) > 0 and max(nodes, power ?? 0 kW) > limit_0\n"
            text += "  until sum(nodes.power) < 1 MW for 10 min\n"
            text += "  then cap top 3 of hot_\(i) by power ?? 0 kW at limit_0 }\n"
        }
        return text
    }()

    static let sources: [SourceFile] = {
        var sources = [SourceFile(name: "chains.watt", text: chains)]
        for file in CorpusFile.all {
            guard let data = try? Data(contentsOf: file.url) else { continue }
            sources.append(SourceFile(name: file.relativePath, bytes: Array(data)))
        }
        return sources
    }()

    @Test func oneWalkAgreesWithTheDefinitions() {
        var rulesSeen = 0
        var letsSeen = 0
        for source in TreeFactsTests.sources {
            let parsed = Parser.parse(source)
            let checker = Checker(vocabulary: TestWorld.vocabulary)
            let (program, diagnostics) = checker.check([parsed.unit])
            if source.name == "chains.watt" {
                #expect(!parsed.diagnostics.hasErrors && !diagnostics.hasErrors, "\(DiagnosticRenderer.text(parsed.diagnostics + diagnostics))")
                #expect(program.rules.count == 40 && program.lets.count == 120)
            }
            for (index, typedLet) in program.lets.enumerated() {
                var reads: [Int] = []
                checker.visitLets(typedLet.value) { reads.append($0) }
                #expect(checker.letDepths[index] == checker.evaluationDepth(typedLet.value), "\(source.name): let \(typedLet.name)")
                #expect(checker.letCosts[index] == checker.estimateCost(typedLet.value), "\(source.name): let \(typedLet.name)")
                #expect(Array(checker.letReads[checker.letReadStarts[index]..<checker.letReadStarts[index + 1]]) == reads,
                        "\(source.name): let \(typedLet.name)")
                letsSeen += 1
            }
            for rule in program.rules {
                #expect(rule.estimatedCost == checker.estimateCost(rule), "\(source.name): rule \(rule.name)")
                let facts = checker.facts(rule)
                #expect(facts.depth == checker.evaluationDepth(rule), "\(source.name): rule \(rule.name)")
                #expect(facts.cost == rule.estimatedCost, "\(source.name): rule \(rule.name)")
                rulesSeen += 1
            }
        }
        #expect(rulesSeen >= 100 && letsSeen >= 120, "\(rulesSeen) rules and \(letsSeen) lets compared")
    }
}
