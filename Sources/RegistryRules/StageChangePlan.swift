/// Stage changes of one model, applied one after another, worked out before
/// any row is written: which versions each change moves (the target first,
/// then the versions it archives, by number), and where every touched
/// version ends. The store reads the versions involved once, writes each
/// touched row once and every history row together, however many changes
/// arrived in the batch.
package struct StageChangePlan: Sendable {
    package struct Change: Sendable {
        package var version: Int64
        package var stage: Stage
        package var archiveOthers: Bool

        package init(version: Int64, stage: Stage, archiveOthers: Bool) {
            self.version = version
            self.stage = stage
            self.archiveOthers = archiveOthers
        }
    }

    package struct Move: Sendable, Equatable {
        package var version: Int64
        package var from: Stage
        package var to: Stage
        /// The target whose promotion archived this version; 0 for the target itself.
        package var archivedBy: Int64

        package init(version: Int64, from: Stage, to: Stage, archivedBy: Int64) {
            self.version = version
            self.from = from
            self.to = to
            self.archivedBy = archivedBy
        }
    }

    /// Per change, in order: its moves, or nil when its version does not exist.
    package private(set) var moves: [[Move]?] = []
    /// Where each touched version ends, and which change touched it last.
    package private(set) var final: [Int64: (stage: Stage, lastChange: Int)] = [:]
    /// The last change that moved each version into Production.
    package private(set) var lastPromotion: [Int64: Int] = [:]

    /// `current` must hold every change's target that exists and every
    /// version in a stage that a change archiving others moves into.
    package init(current: [Int64: Stage], changes: [Change]) {
        var stages = current
        for (index, change) in changes.enumerated() {
            guard let from = stages[change.version] else {
                moves.append(nil)
                continue
            }
            var changeMoves = [Move(version: change.version, from: from, to: change.stage, archivedBy: 0)]
            if change.archiveOthers {
                let others = stages.filter { $0.value == change.stage && $0.key != change.version }.keys.sorted()
                changeMoves += others.map {
                    Move(version: $0, from: change.stage, to: .archived, archivedBy: change.version)
                }
            }
            for move in changeMoves {
                stages[move.version] = move.to
                final[move.version] = (move.to, index)
            }
            if change.stage == .production { lastPromotion[change.version] = index }
            moves.append(changeMoves)
        }
    }

    /// The stages a read must cover besides the targets: those that changes
    /// archiving others move into.
    package static func stagesToRead(_ changes: [Change]) -> [Stage] {
        Stage.allCases.filter { stage in changes.contains { $0.archiveOthers && $0.stage == stage } }
    }
}
