import WattEnergy
import WattLanguage

/// One field of a record that policies read (`site.power`, `job.deadline`, `forecast(...).low`):
/// its name, its type with unit, its doc line, and the stored property of the host value it
/// is read from. Everything else is derived from it: the language's `FieldSchema`, the table
/// column the binding hands to programs each tick, the record value, `watt vocab` and
/// docs/vocabulary.md. World fields may also say what `TelemetryGuard` refuses (`bounds`),
/// whether the value is a metric with history and forecasts (`history`), how it is exported
/// to Prometheus (`exported`) and whether a test's `given` may set it (`settable`).
///
/// The kind of value (number, instant, string, ...) and its optionality come from the key
/// path's type, so a field's schema and its column cannot disagree.
public struct FieldDeclaration<Element>: @unchecked Sendable {
    public let name: String
    public let measure: Measure
    public let doc: String
    public let allowed: AllowedValues
    let access: FieldAccess<Element>
    /// The range `TelemetryGuard` accepts; a value outside it is missing to policies.
    public var bounds: TelemetryRange?
    /// Recorded into the telemetry history every tick (so `history(...)` and
    /// `forecast(...)` take its path).
    public var history: Bool
    /// The Prometheus gauge the metrics exporter writes for it (single records only).
    public var exported: ExportedMetric?
    /// Whether a test may set it with `given` (`given site.power = 50 kW`,
    /// `given node("a-001").temperature = 90 degC`).
    public var settable: Bool

    init(_ name: String, _ access: FieldAccess<Element>, measure: Measure, doc: String, allowed: AllowedValues = .any,
         bounds: TelemetryRange? = nil, history: Bool = false, exported: ExportedMetric? = nil, settable: Bool = false) {
        self.name = name; self.access = access; self.measure = measure; self.doc = doc; self.allowed = allowed
        self.bounds = bounds; self.history = history; self.exported = exported; self.settable = settable
    }

    // MARK: Declaring fields (the kind of value follows from the key path)

    /// A quantity in SI units (`dimension`), or a plain number (`.plain`).
    public static func quantity(_ name: String, _ keyPath: WritableKeyPath<Element, Double>, _ measure: Measure, doc: String = "",
                                bounds: TelemetryRange? = nil, history: Bool = false, exported: ExportedMetric? = nil,
                                settable: Bool = false) -> Self {
        Self(name, .number(StoredProperty(keyPath)), measure: measure, doc: doc, bounds: bounds, history: history,
             exported: exported, settable: settable)
    }

    /// An optional quantity: nil is missing to policies.
    public static func quantity(_ name: String, _ keyPath: WritableKeyPath<Element, Double?>, _ measure: Measure, doc: String = "",
                                bounds: TelemetryRange? = nil, history: Bool = false, exported: ExportedMetric? = nil,
                                settable: Bool = false) -> Self {
        Self(name, .optionalNumber(StoredProperty(keyPath)), measure: measure, doc: doc, bounds: bounds, history: history,
             exported: exported, settable: settable)
    }

    /// A count (an integer), a plain number to policies.
    public static func count(_ name: String, _ keyPath: WritableKeyPath<Element, Int>, doc: String = "") -> Self {
        Self(name, .count(StoredProperty(keyPath)), measure: .plain, doc: doc)
    }

    /// An instant, s since 1970-01-01 UTC.
    public static func instant(_ name: String, _ keyPath: WritableKeyPath<Element, Double>, doc: String = "",
                               bounds: TelemetryRange? = nil) -> Self {
        Self(name, .instant(StoredProperty(keyPath)), measure: .plain, doc: doc, bounds: bounds)
    }

    /// An optional instant: nil is missing.
    public static func instant(_ name: String, _ keyPath: WritableKeyPath<Element, Double?>, doc: String = "",
                               bounds: TelemetryRange? = nil, settable: Bool = false) -> Self {
        Self(name, .optionalInstant(StoredProperty(keyPath)), measure: .plain, doc: doc, bounds: bounds, settable: settable)
    }

    public static func flag(_ name: String, _ keyPath: WritableKeyPath<Element, Bool>, doc: String = "") -> Self {
        Self(name, .flag(StoredProperty(keyPath)), measure: .plain, doc: doc)
    }

    /// A string; `allowed` names the inventory its values come from (pools, profiles).
    public static func text(_ name: String, _ keyPath: WritableKeyPath<Element, String>, doc: String = "",
                            allowed: AllowedValues = .any) -> Self {
        Self(name, .text(StoredProperty(keyPath)), measure: .plain, doc: doc, allowed: allowed)
    }

    /// An optional string: nil is missing.
    public static func text(_ name: String, _ keyPath: WritableKeyPath<Element, String?>, doc: String = "",
                            allowed: AllowedValues = .any, settable: Bool = false) -> Self {
        Self(name, .optionalText(StoredProperty(keyPath)), measure: .plain, doc: doc, allowed: allowed, settable: settable)
    }

    /// One of an enumeration's cases, as its raw string; the doc line lists the cases, and a
    /// literal outside them is a check-time error.
    public static func choice<Case: CaseIterable & RawRepresentable & Equatable & Sendable>(
        _ name: String, _ keyPath: WritableKeyPath<Element, Case>, doc: String = "", settable: Bool = false
    ) -> Self where Case.RawValue == String {
        let choices = Choices(keyPath)
        let cases = choices.cases
        let line = cases.joined(separator: ", ")
        return Self(name, .choice(choices), measure: .plain, doc: doc.isEmpty ? line : "\(doc): \(line)",
                    allowed: .fixed(cases), settable: settable)
    }

    /// A list of strings (e.g. the ids of the jobs on a node).
    public static func texts(_ name: String, _ keyPath: WritableKeyPath<Element, [String]>, doc: String = "") -> Self {
        Self(name, .texts(StoredProperty(keyPath)), measure: .plain, doc: doc)
    }

    // MARK: Derived

    /// The field's language type where pool names, the currency and (for forecasts) the
    /// metric's dimension are known.
    public func type(in context: DeclarationContext) -> WattType {
        let base: WattType
        switch access {
        case .number, .optionalNumber, .count: base = measure.type(in: context)
        case .instant, .optionalInstant: base = .instant
        case .flag: base = .bool
        case .text, .optionalText, .choice: base = .string
        case .texts: base = .list(.string)
        }
        return access.isOptional ? .optional(base) : base
    }

    public func schema(in context: DeclarationContext) -> FieldSchema {
        FieldSchema(name, type(in: context), doc: doc, allowedValues: allowed.values(in: context))
    }

    /// The field of one value, as the language sees it (non-finite numbers are missing).
    func value(of element: Element) -> Value {
        switch access {
        case .number(let p): return Self.number(p.read(element))
        case .optionalNumber(let p): return p.read(element).map(Self.number) ?? .missing
        case .count(let p): return .number(Double(p.read(element)))
        case .instant(let p): return Self.instant(p.read(element))
        case .optionalInstant(let p): return p.read(element).map(Self.instant) ?? .missing
        case .flag(let p): return .bool(p.read(element))
        case .text(let p): return .string(p.read(element))
        case .optionalText(let p): return p.read(element).map { .string($0) } ?? .missing
        case .choice(let c): return .string(c.cases[Int(c.code(element))])
        case .texts(let p): return .list(p.read(element).map { .string($0) })
        }
    }

    private static func number(_ v: Double) -> Value { v.isFinite ? .number(v) : .missing }
    private static func instant(_ v: Double) -> Value { v.isFinite ? .instant(v) : .missing }

    /// The field of the selected elements as one typed column: numbers, instants, booleans
    /// and dictionary-encoded strings read straight from the elements' storage (no element
    /// is copied, nothing is boxed); only lists are boxed, and a node's list is reused while
    /// it holds the same ids.
    func column(_ elements: [Element], _ rows: RowSelection, _ state: ColumnState) -> Table.Column {
        switch access {
        case .number(let p):
            return .number(p.raw(elements) { $0.numbers(rows) } ?? p.applied(elements, rows).map { $0.isFinite ? $0 : .nan })
        case .optionalNumber(let p):
            return .number(p.raw(elements) { $0.optionalNumbers(rows) }
                ?? p.applied(elements, rows).map { $0.flatMap { $0.isFinite ? $0 : nil } ?? .nan })
        case .count(let p):
            return .number(p.raw(elements) { $0.counts(rows) } ?? p.applied(elements, rows).map { Double($0) })
        case .instant(let p):
            return .instant(p.raw(elements) { $0.numbers(rows) } ?? p.applied(elements, rows).map { $0.isFinite ? $0 : .nan })
        case .optionalInstant(let p):
            return .instant(p.raw(elements) { $0.optionalNumbers(rows) }
                ?? p.applied(elements, rows).map { $0.flatMap { $0.isFinite ? $0 : nil } ?? .nan })
        case .flag(let p):
            return .bool(p.raw(elements) { $0.flags(rows) } ?? p.applied(elements, rows).map { $0 ? 1 : 0 })
        case .text(let p):
            return state.encoder.column(p.raw(elements) { $0.strings(rows) } ?? p.applied(elements, rows))
        case .optionalText(let p):
            return state.encoder.column(p.raw(elements) { $0.optionalStrings(rows) } ?? p.applied(elements, rows))
        case .choice(let c):
            return .string(codes: c.codes(elements, rows), dictionary: c.dictionary)
        case .texts(let p):
            return .values(state.lists(p.raw(elements) { $0.lists(rows) } ?? p.applied(elements, rows)))
        }
    }

    /// Whether the element's value is outside `bounds` (false without bounds).
    func refuses(_ element: Element) -> Bool {
        guard let bounds, let v = number(of: element) else { return false }
        return !bounds.accepts(v)
    }

    /// The number a telemetry check or a metric reads (nil: none, or not a number field).
    func number(of element: Element) -> Double? {
        switch access {
        case .number(let p), .instant(let p): return p.read(element)
        case .optionalNumber(let p), .optionalInstant(let p): return p.read(element)
        case .count(let p): return Double(p.read(element))
        default: return nil
        }
    }

    /// Refuses the values outside `bounds` in every element: each becomes missing (nil, or NaN
    /// for a field that is never nil) and is counted in `quality` under `record.field`.
    /// `owner` names an element in the examples. True when a value was refused.
    func check(_ elements: inout [Element], record: String, owner: ((Element) -> String)?, _ quality: inout DataQuality) -> Bool {
        guard let bounds else { return false }
        func refuse(_ v: Double, _ element: Element) {
            quality.add("\(record).\(name)", bounds.problem(v) ?? "out of range", example: TelemetryGuard.example(owner?(element), v))
        }
        switch access {
        case .number(let p), .instant(let p):
            let refused = p.raw(elements) { $0.refused { bounds.accepts($0) } }
                ?? elements.indices.filter { !bounds.accepts(elements[$0][keyPath: p.keyPath]) }
            for i in refused {
                refuse(elements[i][keyPath: p.keyPath], elements[i])
                elements[i][keyPath: p.keyPath] = .nan
            }
            return !refused.isEmpty
        case .optionalNumber(let p), .optionalInstant(let p):
            let refused = p.raw(elements) { $0.refusedOptional { bounds.accepts($0) } }
                ?? elements.indices.filter { elements[$0][keyPath: p.keyPath].map { !bounds.accepts($0) } ?? false }
            for i in refused {
                refuse(elements[i][keyPath: p.keyPath] ?? .nan, elements[i])
                elements[i][keyPath: p.keyPath] = nil
            }
            return !refused.isEmpty
        default:
            return false
        }
    }

    /// Sets the field from a language value (a test's `given`): a number for a quantity (a
    /// missing value empties an optional one), a case's name for a choice. False when the
    /// value does not fit (the caller checked its type already).
    func set(_ element: inout Element, to value: Value) -> Bool {
        switch (access, value) {
        case (.number(let p), .number(let v)): element[keyPath: p.keyPath] = v
        case (.optionalNumber(let p), .number(let v)): element[keyPath: p.keyPath] = v
        case (.optionalNumber(let p), _): element[keyPath: p.keyPath] = nil
        case (.count(let p), .number(let v)) where v.isFinite && abs(v) < 1e15: element[keyPath: p.keyPath] = Int(v)
        case (.instant(let p), .instant(let v)): element[keyPath: p.keyPath] = v
        case (.optionalInstant(let p), .instant(let v)): element[keyPath: p.keyPath] = v
        case (.optionalInstant(let p), _): element[keyPath: p.keyPath] = nil
        case (.flag(let p), .bool(let v)): element[keyPath: p.keyPath] = v
        case (.text(let p), .string(let v)): element[keyPath: p.keyPath] = v
        case (.optionalText(let p), .string(let v)): element[keyPath: p.keyPath] = v
        case (.optionalText(let p), _): element[keyPath: p.keyPath] = nil
        case (.choice(let c), .string(let v)): return c.set(&element, v)
        default: return false
        }
        return true
    }
}

/// What a quantity field measures.
public enum Measure: Sendable, Equatable {
    /// A plain number (a count, a ratio such as PUE).
    case plain
    case dimension(Dimension)
    /// An energy price in the inventory's currency (`grid.price.currency` of the cluster file).
    case price
    /// In a forecast or history record: the metric's own dimension.
    case metric
    /// In a history record: the metric's rate of change per second.
    case metricRate
    /// A gap between two of the metric's values (a temperature reading's is a difference, in K).
    case metricDifference

    func type(in context: DeclarationContext) -> WattType {
        switch self {
        case .plain: return .number
        case .dimension(let d): return .quantity(d)
        case .price: return .quantity(context.currency / .energy)
        case .metric: return .quantity(context.metric ?? .dimensionless)
        case .metricRate: return .quantity((context.metric ?? .dimensionless) / .time)
        case .metricDifference: return .quantity((context.metric ?? .dimensionless).asDifference)
        }
    }
}

/// The known values of a string field (a literal outside them is a check-time error).
public enum AllowedValues: Sendable, Equatable {
    case any
    /// The cluster's pool names.
    case pools
    /// The hardware catalog's node and device profile names.
    case profiles
    case fixed([String])

    func values(in context: DeclarationContext) -> [String]? {
        switch self {
        case .any: return nil
        case .pools: return context.pools
        case .profiles: return context.profiles
        case .fixed(let values): return values
        }
    }
}

/// What a field's type depends on: the inventory (pool and profile names, the currency)
/// and, in forecast and history records, the metric's dimension.
public struct DeclarationContext: Sendable {
    public var pools: [String]
    public var profiles: [String]
    public var currency: Dimension
    public var metric: Dimension?
    public init(pools: [String], profiles: [String], currency: Dimension, metric: Dimension? = nil) {
        self.pools = pools; self.profiles = profiles; self.currency = currency; self.metric = metric
    }
}

/// A Prometheus gauge of a world field: its name (in the unit it says), help, and the factor
/// from the field's SI value to it; `forecast` names the gauge of its forecasts, if exported.
public struct ExportedMetric: Sendable, Equatable {
    public var name: String
    public var help: String
    public var scale: Double
    public var forecast: Forecast?

    public struct Forecast: Sendable, Equatable {
        public var name: String
        /// What is forecast, for the help text: `IT power`.
        public var what: String
    }

    public init(_ name: String, help: String, scale: Double = 1, forecast: (name: String, what: String)? = nil) {
        self.name = name; self.help = help; self.scale = scale
        self.forecast = forecast.map { Forecast(name: $0.name, what: $0.what) }
    }
}
