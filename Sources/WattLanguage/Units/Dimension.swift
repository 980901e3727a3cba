/// A physical dimension as integer exponents over the base quantities Watt needs.
/// Power is energy/time, carbon intensity is mass/energy, price is currency/energy.
/// Each currency is its own base: there is no fixed rate between USD and EUR.
public struct Dimension: Hashable, Sendable, Codable {
    public var energy: Int8 = 0
    public var time: Int8 = 0
    public var mass: Int8 = 0
    public var temperature: Int8 = 0
    public var data: Int8 = 0
    public var usd: Int8 = 0
    public var eur: Int8 = 0
    public var gbp: Int8 = 0

    public init(energy: Int8 = 0, time: Int8 = 0, mass: Int8 = 0, temperature: Int8 = 0,
                data: Int8 = 0, usd: Int8 = 0, eur: Int8 = 0, gbp: Int8 = 0) {
        self.energy = energy; self.time = time; self.mass = mass; self.temperature = temperature
        self.data = data; self.usd = usd; self.eur = eur; self.gbp = gbp
    }

    public static let dimensionless = Dimension()
    public static let energy = Dimension(energy: 1)
    public static let time = Dimension(time: 1)
    public static let power = Dimension(energy: 1, time: -1)
    public static let mass = Dimension(mass: 1)
    public static let carbonIntensity = Dimension(energy: -1, mass: 1)
    public static let frequency = Dimension(time: -1)
    public static let temperature = Dimension(temperature: 1)
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
