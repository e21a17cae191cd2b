public import Foundation

/// Where a page ends when rows are listed newest first by (timestamp, id):
/// the last row's pair, as an opaque token for the caller to hand back.
public struct KeysetPageToken: PageCursor, Equatable {
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var id: UUID

    public init(timestamp: Int64, id: UUID) {
        self.timestamp = timestamp
        self.id = id
    }

    public init?(token: String, context: Void) {
        let parts = token.split(separator: "_")
        guard parts.count == 2, let timestamp = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            return nil
        }
        self.init(timestamp: timestamp, id: id)
    }

    public func token(context: Void) -> String { "\(timestamp)_\(id.uuidString.lowercased())" }
}
