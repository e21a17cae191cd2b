import DriftEngine
import Foundation
import Synchronization

/// Committed references never change, so their rows are read once and kept
/// (a few, the ones windows use) rather than read again every window.
final class ReferenceCache: Sendable {
    private let tables = Mutex<[(id: UUID, table: FeatureTable)]>([])
    private let capacity = 4

    func table(_ id: UUID, orLoad load: () throws -> FeatureTable) rethrows -> FeatureTable {
        if let hit = tables.withLock({ $0.first { $0.id == id }?.table }) { return hit }
        let table = try load()
        keep(table, for: id)
        return table
    }

    func keep(_ table: FeatureTable, for id: UUID) {
        tables.withLock { tables in
            tables.removeAll { $0.id == id }
            tables.insert((id, table), at: 0)
            if tables.count > capacity { tables.removeLast() }
        }
    }
}
