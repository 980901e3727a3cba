import Foundation
import WattBindings
import WattEnergy
import WattLanguage

/// `watt fmt FILES...`: prints canonical formatting; `--write` rewrites files in place;
/// `--check` lists files that are not formatted and exits 1 (for CI).
public enum FmtCommand {
    public enum Mode: Sendable { case print, write, check }

    public static func run(paths: [String], mode: Mode) -> CommandOutput {
        var out = CommandOutput()
        let files: [String]
        do { files = try PolicyFiles.expand(paths) } catch let failure as PolicyFiles.Failure {
            return CommandOutput(stderr: failure.message + "\n", exitCode: 2)
        } catch { return CommandOutput(stderr: "error: \(error)\n", exitCode: 2) }
        for path in files {
            let source: SourceFile
            do { source = try PolicyFiles.load(path) } catch {
                out.stderr += "error: cannot read `\(path)`\n"
                out.exitCode = 2
                continue
            }
            let parsed = Parser.parse(source)
            if parsed.diagnostics.hasErrors {
                // Never rewrite a file that does not parse: formatting it would lose text.
                out.stderr += DiagnosticRenderer.text(parsed.diagnostics.errors)
                out.exitCode = max(out.exitCode, 1)
                continue
            }
            let formatted = Formatter.format(parsed.unit)
            let original = String(decoding: source.bytes, as: UTF8.self)
            switch mode {
            case .print:
                out.stdout += formatted
            case .check:
                if formatted != original {
                    out.stdout += "\(path): not formatted\n"
                    out.exitCode = max(out.exitCode, 1)
                }
            case .write:
                if formatted != original {
                    do {
                        try Data(formatted.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                        out.stdout += "formatted \(path)\n"
                    } catch {
                        out.stderr += "error: cannot write `\(path)`: \(error.localizedDescription)\n"
                        out.exitCode = 2
                    }
                }
            }
        }
        return out
    }
}

/// `watt units`: every unit Watt reads, by dimension.
public enum UnitsCommand {
    public static func run() -> CommandOutput {
        var byDimension: [String: [String]] = [:]
        for (symbol, unit) in UnitTable.units {
            byDimension[unit.dimension.isDimensionless ? "number" : unit.dimension.name, default: []].append(symbol)
        }
        var text = ""
        for name in byDimension.keys.sorted() {
            text += "\(name): " + byDimension[name]!.sorted { (UnitTable.units[$0]!.factor, $0) < (UnitTable.units[$1]!.factor, $1) }.joined(separator: ", ") + "\n"
        }
        text += "compound units: two of these joined by `/` without spaces, e.g. `kWh/h`; not `%`, and a temperature only after the `/` (`kW/K`)\n"
        return CommandOutput(stdout: text)
    }
}

/// `watt vocab`: the vocabulary policies are checked against, with types and units.
public enum VocabCommand {
    public static func run(vocabulary: Vocabulary = DemoVocabulary.make(), title: String = "Demo vocabulary") -> CommandOutput {
        CommandOutput(stdout: VocabularyReference.markdown(vocabulary, title: title))
    }

    /// The energy vocabulary (the names do not depend on the cluster; its pool and profile
    /// names only restrict string values).
    public static func energy() -> CommandOutput {
        let inventory = EnergyVocabulary.Inventory(pools: [], nodeProfiles: HardwareCatalog.builtIn.nodes.map(\.name),
                                                   deviceProfiles: HardwareCatalog.builtIn.devices.map(\.name))
        let vocabulary = EnergyVocabulary.make(inventory: inventory, models: TelemetryModels(step: 300), catalog: .builtIn)
        return run(vocabulary: vocabulary, title: "Energy vocabulary")
    }
}
