import Foundation

/// A time in milliseconds since the epoch (as the API carries time), bound as
/// the UTC `timestamp` text the seed's columns hold.
public struct EpochMilliseconds: PostgresEncodable, Sendable {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    public var postgresText: String {
        Date(timeIntervalSince1970: Double(value) / 1000).postgresText
    }

    /// Now, in milliseconds since the epoch.
    public static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// `value`, or now when it is 0 (the API's "0 means now").
    public static func orNow(_ value: Int64) -> Int64 { value == 0 ? now : value }
}
