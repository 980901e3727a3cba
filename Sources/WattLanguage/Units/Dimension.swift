/// A physical dimension as integer exponents over the base quantities Watt needs.
/// Power is energy/time, carbon intensity is mass/energy, price is currency/energy.
/// Each currency is its own base: there is no fixed rate between USD and EUR.
///
/// Temperatures are affine (as Pint's offset units and mp-units' quantity points): a reading
/// in degC or degF is a point on a scale whose zero is arbitrary; the gap between two readings
/// is a difference, which composes like any quantity (`kW/K`). Kelvin is the absolute scale:
/// a K value reads as a point or as a difference, whichever its neighbour needs. `reading`
/// tells the three apart; it is `.none` for every other dimension.
public struct Dimension: Hashable, Sendable, Codable {
    public var energy: Int8 = 0
    public var time: Int8 = 0
    public var mass: Int8 = 0
    public var temperature: Int8 = 0
    public var data: Int8 = 0
    public var usd: Int8 = 0
    public var eur: Int8 = 0
    public var gbp: Int8 = 0
    public var reading: TemperatureReading = .none

    public init(energy: Int8 = 0, time: Int8 = 0, mass: Int8 = 0, temperature: Int8 = 0,
                data: Int8 = 0, usd: Int8 = 0, eur: Int8 = 0, gbp: Int8 = 0, reading: TemperatureReading = .none) {
        self.energy = energy; self.time = time; self.mass = mass; self.temperature = temperature
        self.data = data; self.usd = usd; self.eur = eur; self.gbp = gbp
        self.reading = temperature == 1 && energy == 0 && time == 0 && mass == 0 && data == 0 && usd == 0 && eur == 0 && gbp == 0
            ? reading : .none
    }

    private enum CodingKeys: String, CodingKey { case energy, time, mass, temperature, data, usd, eur, gbp, reading }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func exponent(_ key: CodingKeys) throws -> Int8 { try c.decodeIfPresent(Int8.self, forKey: key) ?? 0 }
        self.init(energy: try exponent(.energy), time: try exponent(.time), mass: try exponent(.mass),
                  temperature: try exponent(.temperature), data: try exponent(.data), usd: try exponent(.usd),
                  eur: try exponent(.eur), gbp: try exponent(.gbp),
                  reading: try c.decodeIfPresent(TemperatureReading.self, forKey: .reading) ?? .none)
    }

    public static let dimensionless = Dimension()
    public static let energy = Dimension(energy: 1)
    public static let time = Dimension(time: 1)
    public static let power = Dimension(energy: 1, time: -1)
    public static let mass = Dimension(mass: 1)
    public static let carbonIntensity = Dimension(energy: -1, mass: 1)
    public static let frequency = Dimension(time: -1)
    /// A temperature reading on a scale with an arbitrary zero (degC, degF): a point.
    public static let temperature = Dimension(temperature: 1, reading: .point)
    /// The gap between two temperature readings (printed in K).
    public static let temperatureDifference = Dimension(temperature: 1)
    /// A temperature in kelvin: a point on the absolute scale that also serves as a difference.
    public static let kelvin = Dimension(temperature: 1, reading: .absolute)
    public static let data = Dimension(data: 1)
    public static let usd = Dimension(usd: 1)
    public static let eur = Dimension(eur: 1)
    public static let gbp = Dimension(gbp: 1)

    var exponents: [Int8] { [energy, time, mass, temperature, data, usd, eur, gbp] }
    init(exponents e: [Int8]) {
        self.init(energy: e[0], time: e[1], mass: e[2], temperature: e[3], data: e[4], usd: e[5], eur: e[6], gbp: e[7])
    }

    public static func * (a: Dimension, b: Dimension) -> Dimension {
        Dimension(exponents: zip(a.exponents, b.exponents).map { $0 &+ $1 })
    }
    public static func / (a: Dimension, b: Dimension) -> Dimension {
        Dimension(exponents: zip(a.exponents, b.exponents).map { $0 &- $1 })
    }
    public var isDimensionless: Bool { self == .dimensionless }
    /// A reading on degC or degF, which cannot be added to another or scaled.
    public var isTemperaturePoint: Bool { reading == .point }
    /// A temperature of any kind: reading, difference or kelvin.
    public var isTemperature: Bool { self == .temperature || self == .temperatureDifference || self == .kelvin }
    /// The same dimension with a reading's temperature taken as a difference (products,
    /// quotients and rates of change of temperatures are of differences: `kW/K`, `K/h`).
    public var asDifference: Dimension { var d = self; d.reading = .none; return d }

    /// The product (or quotient) of two dimensions, or nil when an exponent leaves the
    /// range of `Int8`: a product of 128 energies must not wrap around to a plain number.
    public static func combining(_ a: Dimension, _ b: Dimension, dividing: Bool) -> Dimension? {
        // Field by field, not over `exponents` (three arrays per product in the checker).
        var overflow = false
        func combine(_ x: Int8, _ y: Int8) -> Int8 {
            let (value, over) = dividing ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
            overflow = overflow || over
            return value
        }
        let result = Dimension(energy: combine(a.energy, b.energy), time: combine(a.time, b.time), mass: combine(a.mass, b.mass),
                               temperature: combine(a.temperature, b.temperature), data: combine(a.data, b.data),
                               usd: combine(a.usd, b.usd), eur: combine(a.eur, b.eur), gbp: combine(a.gbp, b.gbp))
        return overflow ? nil : result
    }

    /// The name used in diagnostics and `:units`: `power`, `carbon intensity`, or a formula.
    public var name: String {
        if let named = Dimension.names[self] { return named }
        let bases = ["energy", "time", "mass", "temperature", "data", "USD", "EUR", "GBP"]
        var numerator: [String] = []
        var denominator: [String] = []
        for (base, exponent) in zip(bases, exponents) where exponent != 0 {
            let power = abs(Int(exponent)) == 1 ? "" : "^\(abs(Int(exponent)))"
            if exponent > 0 { numerator.append(base + power) } else { denominator.append(base + power) }
        }
        let top = numerator.isEmpty ? "1" : numerator.joined(separator: "·")
        return denominator.isEmpty ? top : top + "/" + denominator.joined(separator: "·")
    }

    static let names: [Dimension: String] = {
        var names: [Dimension: String] = [
            .dimensionless: "number", .energy: "energy", .time: "time", .power: "power", .mass: "mass",
            .carbonIntensity: "carbon intensity", .frequency: "frequency", .temperature: "temperature",
            .temperatureDifference: "temperature difference", .kelvin: "absolute temperature",
            .data: "data size", Dimension(time: -1, mass: 1): "carbon rate",
            Dimension(time: -1, data: 1): "data rate",
        ]
        for (currency, code) in [(Dimension.usd, "USD"), (.eur, "EUR"), (.gbp, "GBP")] {
            names[currency] = "currency (\(code))"
            names[currency / .energy] = "price (\(code)/energy)"
            names[currency / .time] = "cost rate (\(code)/time)"
            names[currency / .mass] = "carbon price (\(code)/mass)"
        }
        return names
    }()
}

/// How a temperature reads (see `Dimension`).
public enum TemperatureReading: UInt8, Sendable, Hashable, Codable {
    /// Not a reading: another dimension, or a temperature difference.
    case none
    /// A reading on degC or degF: a point.
    case point
    /// Kelvin: a point on the absolute scale, or a difference where one is needed.
    case absolute
}
