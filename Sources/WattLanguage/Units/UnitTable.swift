/// A unit: a dimension and the factor (and offset, for temperatures) to the canonical
/// representation. Canonical: joule, second, gram, degree Celsius, byte, one currency unit.
/// Values are stored canonically as `Double`; units exist at check time and in printing.
public struct PhysicalUnit: Sendable, Hashable {
    public var symbol: String
    public var dimension: Dimension
    public var factor: Double
    public var offset: Double = 0

    public init(_ symbol: String, _ dimension: Dimension, _ factor: Double, offset: Double = 0) {
        self.symbol = symbol
        self.dimension = dimension
        self.factor = factor
        self.offset = offset
    }

    public func toCanonical(_ value: Double) -> Double { value * factor + offset }
    public func fromCanonical(_ value: Double) -> Double { (value - offset) / factor }
}

public enum UnitTable {
    private static let wattHour = 3600.0

    /// Every unit symbol a literal may use, case-sensitive (`kW` is not `KW`).
    public static let units: [String: PhysicalUnit] = {
        var table: [String: PhysicalUnit] = [:]
        func add(_ symbol: String, _ dimension: Dimension, _ factor: Double, offset: Double = 0) {
            table[symbol] = PhysicalUnit(symbol, dimension, factor, offset: offset)
        }
        // Power and energy
        add("mW", .power, 1e-3); add("W", .power, 1); add("kW", .power, 1e3); add("MW", .power, 1e6); add("GW", .power, 1e9)
        add("J", .energy, 1); add("kJ", .energy, 1e3); add("MJ", .energy, 1e6); add("GJ", .energy, 1e9)
        add("Wh", .energy, wattHour); add("kWh", .energy, 1e3 * wattHour); add("MWh", .energy, 1e6 * wattHour)
        add("GWh", .energy, 1e9 * wattHour); add("TWh", .energy, 1e12 * wattHour)
        // Time (durations)
        add("ms", .time, 1e-3); add("s", .time, 1); add("min", .time, 60); add("h", .time, 3600)
        add("d", .time, 86400); add("day", .time, 86400); add("days", .time, 86400); add("week", .time, 604800); add("weeks", .time, 604800)
        // Mass (of CO2)
        add("mg", .mass, 1e-3); add("g", .mass, 1); add("kg", .mass, 1e3); add("t", .mass, 1e6)
        // Carbon intensity
        add("g/kWh", .carbonIntensity, 1 / (1e3 * wattHour)); add("kg/kWh", .carbonIntensity, 1e3 / (1e3 * wattHour))
        add("kg/MWh", .carbonIntensity, 1e3 / (1e6 * wattHour)); add("t/MWh", .carbonIntensity, 1e6 / (1e6 * wattHour))
        add("g/Wh", .carbonIntensity, 1 / wattHour)
        // Carbon rate (emissions per time)
        let carbonRate = Dimension.mass / .time
        add("g/h", carbonRate, 1.0 / 3600); add("kg/h", carbonRate, 1e3 / 3600); add("t/h", carbonRate, 1e6 / 3600)
        // Frequency
        add("Hz", .frequency, 1); add("kHz", .frequency, 1e3); add("MHz", .frequency, 1e6); add("GHz", .frequency, 1e9)
        // Temperature readings: canonical degC; kelvin and fahrenheit convert with an offset.
        // This is how a host reads `"300 K"` into a reading; in a policy a K literal is kelvin
        // (`literal(_:_:)`), and differences have no offset (`unit(_:as:)`).
        add("degC", .temperature, 1); add("K", .temperature, 1, offset: -273.15)
        add("degF", .temperature, 5.0 / 9.0, offset: -32 * 5.0 / 9.0)
        // Data
        add("B", .data, 1); add("kB", .data, 1e3); add("MB", .data, 1e6); add("GB", .data, 1e9); add("TB", .data, 1e12)
        add("KiB", .data, 1024); add("MiB", .data, 1048576); add("GiB", .data, 1073741824); add("TiB", .data, 1099511627776)
        // Dimensionless
        add("%", .dimensionless, 0.01)
        // Currency, prices and cost rates
        for (code, dimension) in [("USD", Dimension.usd), ("EUR", .eur), ("GBP", .gbp)] {
            add(code, dimension, 1)
            add("\(code)/kWh", dimension / .energy, 1 / (1e3 * wattHour))
            add("\(code)/MWh", dimension / .energy, 1 / (1e6 * wattHour))
            add("\(code)/h", dimension / .time, 1.0 / 3600)
            add("\(code)/t", dimension / .mass, 1e-6)
        }
        return table
    }()

    /// Resolves a simple symbol or a compound `a/b` of two known symbols (e.g. `kWh/h`).
    /// In a compound, a temperature is a difference (`kW/K` equals `kW/degC`), so offsets
    /// do not apply; a temperature may not be the numerator (`degC/h` is ambiguous).
    public static func lookup(_ symbol: String) -> PhysicalUnit? {
        if let unit = units[symbol] { return unit }
        let parts = symbol.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let numerator = units[String(parts[0])], let denominator = units[String(parts[1])],
              numerator.offset == 0, numerator.dimension != .temperature, !String(parts[1]).contains("%") else { return nil }
        return PhysicalUnit(symbol, numerator.dimension / denominator.dimension, numerator.factor / denominator.factor)
    }

    /// 0 K in degC, the canonical unit of readings (the lowest reading there is).
    public static let absoluteZeroCelsius = -273.15

    /// The kelvin symbol: a literal in it is an absolute temperature, not a reading.
    public static let kelvinSymbol = "K"

    /// A literal's dimension and canonical value: `300 K` is kelvin (300, on the absolute
    /// scale), `20 degC` a reading (20), `68 degF` a reading (20), others as `lookup`.
    public static func literal(_ value: Double, _ unit: PhysicalUnit) -> (dimension: Dimension, canonical: Double) {
        if unit.symbol == kelvinSymbol { return (.kelvin, value) }
        return (unit.dimension, unit.toCanonical(value))
    }

    /// `symbol` as a unit of `dimension`, for printing: temperature symbols convert a
    /// reading with their offset, a difference without, kelvin only as K.
    public static func unit(_ symbol: String, as dimension: Dimension) -> PhysicalUnit? {
        guard let unit = lookup(symbol) else { return nil }
        if unit.dimension == dimension { return unit }
        guard unit.dimension == .temperature, dimension.isTemperature else { return nil }
        switch dimension.reading {
        case .point: return nil
        case .none: return PhysicalUnit(symbol, dimension, unit.factor)
        case .absolute: return symbol == kelvinSymbol ? PhysicalUnit(symbol, dimension, 1) : nil
        }
    }

    /// Units a number may be printed in, largest first, per dimension.
    static let displayFamilies: [Dimension: [String]] = {
        var families: [Dimension: [String]] = [
            .power: ["GW", "MW", "kW", "W"], .energy: ["GWh", "MWh", "kWh", "Wh"],
            .time: ["d", "h", "min", "s", "ms"], .mass: ["t", "kg", "g", "mg"],
            .carbonIntensity: ["g/kWh"], .frequency: ["GHz", "MHz", "kHz", "Hz"],
            .temperature: ["degC"], .temperatureDifference: ["K"], .kelvin: ["K"], .data: ["TB", "GB", "MB", "kB", "B"],
            Dimension.mass / .time: ["t/h", "kg/h", "g/h"],
        ]
        for code in ["USD", "EUR", "GBP"] {
            let unit = units[code]!
            families[unit.dimension] = [code]
            families[unit.dimension / .energy] = ["\(code)/kWh"]
            families[unit.dimension / .time] = ["\(code)/h"]
            families[unit.dimension / .mass] = ["\(code)/t"]
        }
        return families
    }()

    /// Binary prefixes, offered beside `displayFamilies[.data]` when they print shorter.
    static let binaryDataFamily = ["TiB", "GiB", "MiB", "KiB", "B"]

    /// Rates of change per hour (`history(...).rate`, `kW/h`, `g/kWh/h`) for the dimensions
    /// whose per-time dimension has no family of its own; printing only, not literal units.
    static let rateFamilies: [Dimension: [PhysicalUnit]] = {
        var rates: [Dimension: [PhysicalUnit]] = [:]
        for (dimension, family) in displayFamilies where dimension != .time && displayFamilies[dimension / .time] == nil {
            let perHour: [PhysicalUnit] = family.compactMap { symbol in
                guard let unit = UnitTable.unit(symbol, as: dimension) else { return nil }
                // A temperature's rate is of a difference: K/h, no offset.
                let name = dimension.isTemperature ? kelvinSymbol : symbol
                return PhysicalUnit(name + "/h", dimension / .time, dimension.isTemperature ? 1.0 / 3600 : unit.factor / 3600)
            }
            rates[dimension / .time] = perHour
        }
        return rates
    }()

    /// The unit named in messages about a value without a written unit (`power (kW)`).
    public static func typicalSymbol(for dimension: Dimension) -> String? {
        let typical: [Dimension: String] = [.power: "kW", .energy: "kWh", .time: "min", .mass: "kg", .frequency: "GHz", .data: "GB"]
        return typical[dimension] ?? displaySymbol(for: dimension)
    }

    /// The symbol to print first when a dimension has a unit, e.g. `kW` for power.
    public static func displaySymbol(for dimension: Dimension) -> String? {
        displayFamilies[dimension]?.last
    }
}
