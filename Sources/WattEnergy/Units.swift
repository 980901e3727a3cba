/// Units used inside the energy domain. Every quantity is a plain `Double` in the same
/// canonical units as the Watt language, so the bindings pass numbers through unchanged:
///
/// | quantity | unit |
/// |---|---|
/// | power | W |
/// | energy | J (1 kWh = 3.6e6 J) |
/// | time | s; instants are seconds since 1970-01-01 UTC |
/// | mass (CO2) | g |
/// | carbon intensity | g/J (400 g/kWh = 400 / 3.6e6 g/J) |
/// | money | one currency unit (e.g. USD) |
/// | price | currency/J |
/// | temperature | degC |
/// | throughput | FLOP/s (TFLOPS × 1e12) |
public enum SI {
    public static let joulesPerKWh = 3.6e6
    public static let secondsPerHour = 3600.0
    public static let secondsPerDay = 86_400.0

    public static func kW(_ v: Double) -> Double { v * 1e3 }
    public static func kWh(_ v: Double) -> Double { v * joulesPerKWh }
    public static func toKWh(_ joules: Double) -> Double { joules / joulesPerKWh }
    /// g/kWh to g/J.
    public static func gramsPerKWh(_ v: Double) -> Double { v / joulesPerKWh }
    public static func toGramsPerKWh(_ gramsPerJoule: Double) -> Double { gramsPerJoule * joulesPerKWh }
    /// currency/kWh to currency/J.
    public static func perKWh(_ v: Double) -> Double { v / joulesPerKWh }
    public static func hours(_ v: Double) -> Double { v * secondsPerHour }
}
