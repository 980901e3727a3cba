import Synchronization

/// The latest metrics text, rendered once per tick by `MetricsExporter` and read by the
/// HTTP endpoint's thread (`MetricsServer`): the loop and the server share only this.
public final class MetricsPage: Sendable {
    private let text: Mutex<String>

    public init(_ text: String = "") { self.text = Mutex(text) }

    public func update(_ new: String) { text.withLock { $0 = new } }

    public var current: String { text.withLock { $0 } }
}
