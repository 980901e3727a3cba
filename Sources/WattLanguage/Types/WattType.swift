/// Static types. Quantities carry their physical dimension; a plain number is a
/// dimensionless quantity. `optional` marks values the host may not have (telemetry gaps).
/// `bool`, `quantity`, `string`, `instant` and `error` are stored in the value itself (9
/// bytes), the others in a box (`indirect`): a box for every `quantity` was an allocation
/// per typed literal and operator in the checker, and a copy of one a retain.
public enum WattType: Hashable, Sendable {
    case bool
    case quantity(Dimension)
    case string
    /// A point in time (seconds since the Unix epoch, UTC).
    case instant
    indirect case list(WattType)
    /// A record whose schema the host registered under this name.
    indirect case record(String)
    indirect case optional(WattType)
    /// The type of an expression that already has an error: suppresses follow-on errors.
    case error

    public static let number = WattType.quantity(.dimensionless)
    public static let duration = WattType.quantity(.time)

    public var unwrapped: WattType {
        var type = self
        while case .optional(let inner) = type { type = inner }
        return type
    }
    public var isOptional: Bool { if case .optional = self { return true } else { return false } }
    public var isError: Bool {
        switch self {
        case .error: return true
        case .optional(let inner): return inner.isError
        default: return false
        }
    }

    public var dimension: Dimension? {
        if case .quantity(let d) = unwrapped { return d }
        return nil
    }
    public var elementType: WattType? {
        if case .list(let e) = unwrapped { return e }
        return nil
    }

    /// `power`, `list of job`, `optional energy`.
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .quantity(let d): return d.isDimensionless ? "number" : d.name
        case .string: return "string"
        case .instant: return "time instant"
        case .list(let e): return "list of \(e.description)"
        case .record(let name): return name
        case .optional(let inner): return "optional \(inner.description)"
        case .error: return "<error>"
        }
    }

    /// Wraps in `optional` when `condition` holds (used to propagate possible missingness).
    func optional(if condition: Bool) -> WattType {
        condition && !isOptional && self != .error ? .optional(self) : self
    }
}
