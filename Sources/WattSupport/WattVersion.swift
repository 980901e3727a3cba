/// Watt's version, journaled with every run (`--resume` refuses a run journaled by another
/// version: the same inputs may give other decisions) and printed by `watt --version`.
/// Raised with every change of behaviour that lands.
public enum WattVersion {
    public static let current = "0.16.0"
}
