import ArgumentParser
import WattLanguage

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

public struct Units: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "List the physical units Watt knows.")
    public init() {}
    public func run() throws { UnitsCommand.run().emit() }
}
