import Foundation

/// A named cap response of a catalog (e.g. `zeus-pooled`, the fit to the Zeus measurements).
public struct NamedCapCurve: Sendable, Equatable {
    public var name: String
    public var response: CapResponse
    public var source: ProfileSource?

    public init(name: String, response: CapResponse, source: ProfileSource? = nil) {
        self.name = name
        self.response = response
        self.source = source
    }

    /// The throughput curve.
    public var curve: CapCurve { response.throughput }
}

/// Device, node and pool profiles by name: the built-in catalog (Resources/devices.json)
/// plus the users' profile files (format: docs/hardware.md).
///
/// ```swift
/// let (catalog, errors) = HardwareCatalog.load(files: ["site/profiles.json"])
/// for e in errors { print(e) }                 // the built-ins and every good entry still load
/// let node = try catalog.node(named: "dgx-h100-like")
/// node.maxW                                    // W
/// ```
public struct HardwareCatalog: Sendable {
    public internal(set) var curves: [NamedCapCurve] = []
    public internal(set) var devices: [DeviceProfile] = []
    public internal(set) var nodes: [NodeProfile] = []
    public internal(set) var pools: [PoolProfile] = []
    /// What loading found worth saying that is not an error, e.g. a device given no cap curve
    /// (it gets the pooled one). Entries with warnings load.
    public internal(set) var warnings: [ProfileError] = []
    /// Where each name was defined, by section, for duplicate-name messages.
    private var origins: [String: [String: String]] = [:]

    /// A catalog with nothing in it.
    public static let empty = HardwareCatalog()

    /// The catalog shipped with the package: Resources/devices.json. Its problems, if any (a
    /// test keeps the list empty), are in `builtInErrors`; entries with problems are left out.
    public static let builtIn: HardwareCatalog = builtInLoad.catalog
    public static var builtInErrors: [ProfileError] { builtInLoad.errors }

    /// The pooled cap response, fitted on every GPU with measurements: what a device without
    /// its own gets.
    public static let pooledCurveName = "zeus-pooled"

    /// The file name built-in errors are reported under.
    public static let builtInFile = "devices.json"

    private static let builtInLoad: (catalog: HardwareCatalog, errors: [ProfileError]) = {
        guard let url = Bundle.module.url(forResource: "devices", withExtension: "json", subdirectory: "Resources"),
              let data = FileManager.default.contents(atPath: url.path) else {
            return (.empty, [ProfileError(file: builtInFile, message: "cannot find the built-in catalog in the package resources")])
        }
        var (catalog, errors) = HardwareCatalog.empty.adding(json: Array(data), file: builtInFile)
        for section in catalog.origins.keys {
            for name in catalog.origins[section]!.keys { catalog.origins[section]![name] = "in the built-in catalog" }
        }
        return (catalog, errors)
    }()

    /// The built-in catalog plus the given profile files, in order. A file that cannot be read
    /// or has errors never removes anything: the result has the built-ins, every valid entry of
    /// every file, and one error per problem.
    public static func load(files: [String]) -> (catalog: HardwareCatalog, errors: [ProfileError]) {
        builtIn.adding(files: files)
    }

    /// This catalog plus the given profile files, in order (see `load(files:)`).
    public func adding(files: [String]) -> (catalog: HardwareCatalog, errors: [ProfileError]) {
        var loader = ProfileLoader(catalog: self)
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
                loader.errors.append(ProfileError(file: path, message: why))
                continue
            }
            loader.load(bytes: Array(data), file: path)
        }
        return (loader.catalog, loader.errors)
    }

    /// This catalog plus one profile file given as its bytes; `file` names it in errors.
    public func adding(json bytes: [UInt8], file: String) -> (catalog: HardwareCatalog, errors: [ProfileError]) {
        var loader = ProfileLoader(catalog: self)
        loader.load(bytes: bytes, file: file)
        return (loader.catalog, loader.errors)
    }

    /// This catalog plus one profile file given as text; `file` names it in errors.
    public func adding(json text: String, file: String) -> (catalog: HardwareCatalog, errors: [ProfileError]) {
        adding(json: Array(text.utf8), file: file)
    }

    // MARK: Lookup

    public func device(named name: String) throws(HardwareLookupError) -> DeviceProfile {
        try Self.find(name, in: devices, kind: "device", name: \.name)
    }

    public func node(named name: String) throws(HardwareLookupError) -> NodeProfile {
        try Self.find(name, in: nodes, kind: "node", name: \.name)
    }

    public func pool(named name: String) throws(HardwareLookupError) -> PoolProfile {
        try Self.find(name, in: pools, kind: "pool", name: \.name)
    }

    public func curve(named name: String) throws(HardwareLookupError) -> NamedCapCurve {
        try Self.find(name, in: curves, kind: "curve", name: \.name)
    }

    private static func find<T>(_ name: String, in list: [T], kind: String, name key: KeyPath<T, String>) throws(HardwareLookupError) -> T {
        if let found = list.first(where: { $0[keyPath: key] == name }) { return found }
        throw HardwareLookupError(kind: kind, name: name, suggestion: HardwareNames.suggestion(for: name, among: list.map { $0[keyPath: key] }))
    }

    // MARK: For the loader

    func origin(_ section: String, _ name: String) -> String? { origins[section]?[name] }

    mutating func setOrigin(_ section: String, _ name: String, _ origin: String) {
        origins[section, default: [:]][name] = origin
    }
}
