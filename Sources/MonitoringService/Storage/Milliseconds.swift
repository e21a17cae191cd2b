import Foundation
import MLOpsPostgres

/// A time in milliseconds since the epoch, bound as the UTC `timestamp`
/// text the seed's columns hold.
struct Milliseconds: PostgresEncodable {
    var value: Int64

    init(_ value: Int64) {
        self.value = value
    }

    var postgresText: String {
        Date(timeIntervalSince1970: Double(value) / 1000).postgresText
    }
}
