import WattCluster
import WattEnergy
import WattLanguage

/// The energy vocabulary of the language: the world's records and collections with their
/// units, `forecast(...)`, `history(...)`, `profile(...)`, and the action verbs, all
/// registered from their declarations (`EnergyDeclarations`, Sources/WattBindings/Declarations).
/// Pool and profile names come from the live inventory, so a misspelt name is a check-time error.
public enum EnergyVocabulary {
    /// Metric paths with history and forecasts, and their dimensions.
    public static func metrics(currency: Dimension, declarations: EnergyDeclarations = .standard) -> [(path: String, dimension: Dimension)] {
        let context = DeclarationContext(pools: [], profiles: [], currency: currency)
        return declarations.historyPaths(context: context).map { ($0.path, $0.type.dimension ?? .dimensionless) }
    }

    /// What the vocabulary's types and allowed values depend on: the cluster's pools, the
    /// catalog's profiles and the currency of its grid prices.
    public struct Inventory: Sendable {
        public var pools: [String]
        public var nodeProfiles: [String]
        public var deviceProfiles: [String]
        /// The currency of grid prices: `USD`, `EUR` or `GBP` (the cluster file's
        /// `grid.price.currency`; USD when it names none).
        public var currency: String
        public init(pools: [String], nodeProfiles: [String], deviceProfiles: [String], currency: String = "USD") {
            self.pools = pools; self.nodeProfiles = nodeProfiles; self.deviceProfiles = deviceProfiles
            self.currency = Self.currencies.contains(currency) ? currency : "USD"
        }

        /// A snapshot's pools and currency, with the catalog's profiles.
        public init(world: World, catalog: HardwareCatalog) {
            self.init(pools: world.pools.map(\.name), nodeProfiles: catalog.nodes.map(\.name),
                      deviceProfiles: catalog.devices.map(\.name), currency: world.grid.currency)
        }

        /// A cluster file's pools, currency and catalog, without simulating anything.
        public init(cluster: ClusterDefinition) {
            self.init(pools: cluster.pools.map(\.name), nodeProfiles: cluster.catalog.nodes.map(\.name),
                      deviceProfiles: cluster.catalog.devices.map(\.name), currency: cluster.grid.currency)
        }

        static let currencies = ["USD", "EUR", "GBP"]
        var currencyDimension: Dimension { UnitTable.units[currency]?.dimension ?? .usd }
        var context: DeclarationContext {
            DeclarationContext(pools: pools, profiles: nodeProfiles + deviceProfiles, currency: currencyDimension)
        }
    }

    static func forecastSchemaName(_ d: Dimension) -> String {
        "forecast_" + (d.isDimensionless ? "number" : d.name.replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "").replacingOccurrences(of: "/", with: "_per_"))
    }

    static func historySchemaName(_ d: Dimension) -> String { "history_" + forecastSchemaName(d).dropFirst("forecast_".count) }

    /// The vocabulary of a cluster file's inventory, with no telemetry yet (what `watt check`
    /// checks against: nothing is simulated).
    public static func make(cluster: ClusterDefinition) -> Vocabulary {
        make(inventory: Inventory(cluster: cluster), models: TelemetryModels(step: cluster.tick), catalog: cluster.catalog)
    }

    /// `plans`: the binding's carbon plans (`carbon_plan(job)`); a vocabulary made only to
    /// check policies gets its own.
    public static func make(inventory: Inventory, models: TelemetryModels, catalog: HardwareCatalog,
                            declarations: EnergyDeclarations = .standard, plans: CarbonPlans? = nil) -> Vocabulary {
        var v = Vocabulary()
        let context = inventory.context
        do {
            for name in declarations.names { try name.register(into: &v, context: context) }
            try registerFunctions(&v, models: models, catalog: catalog, declarations: declarations, context: context,
                                  plans: plans ?? CarbonPlans(models: models))
            for verb in declarations.verbs { try v.register(verb.signature(in: context)) }
            // Rules that undo each other's actions (W0501), from what each verb declares.
            try v.register(FightAnalysis.analysis(.init(
                transfers: declarations.verbs.compactMap(\.transfer),
                oppositions: declarations.verbs.compactMap { verb in
                    verb.reversedBy.map { .init(verb: verb.name, reversedBy: $0.verb, schema: verb.targets == .jobs ? "job" : "node",
                                                field: $0.field) }
                })))
            try v.validate()
        } catch {
            // The declarations are code: a clash (two fields or verbs with one name) is a
            // programming error that every test binding a world catches.
            preconditionFailure("energy vocabulary is inconsistent: \(error)")
        }
        return v
    }
}
