/// A whole number for messages, never trapping: `Int(x)` traps on a value a policy can
/// produce (`defer jobs for 1e300 h`).
func wholeText(_ x: Double) -> String {
    guard x.isFinite, abs(x) < 1e15 else { return "\(x)" }
    return String(Int64(x))
}
