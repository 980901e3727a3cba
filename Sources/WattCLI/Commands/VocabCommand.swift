import ArgumentParser
import WattBindings
import WattEnergy
import WattDemoVocabulary
import WattLanguage

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

public struct Vocab: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Print the vocabulary (names, fields, functions, actions) with types and units.")
    @Flag(help: "The small demo vocabulary that `watt check`/`watt eval` use without `--cluster`.") var demo = false
    public init() {}
    public func run() throws { (demo ? VocabCommand.run() : VocabCommand.energy()).emit() }
}
