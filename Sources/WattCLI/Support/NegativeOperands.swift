/// ArgumentParser reads an argument that starts with `-` as an option, so `watt eval -3`
/// failed with "missing expected argument". No option of `watt` starts with a digit or a
/// point: such an argument (`-3`, `-40 degF`, `-.5 * x`) is an operand, and is passed on
/// with a leading space that the parser cannot mistake (`watt eval` trims it).
public enum NegativeOperands {
    public static func protect(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            guard argument.hasPrefix("-"), let next = argument.dropFirst().first, next.isNumber || next == "." else { return argument }
            return " " + argument
        }
    }

    /// A parser message with the protecting space taken out again (`The value '-1' is
    /// invalid`, not `' -1'`): the user typed `-1`.
    public static func unprotect(_ message: String) -> String {
        message.replacingOccurrences(of: "' -", with: "'-")
    }
}
