import Foundation

/// Work that takes a while, shown on standard error as it goes.
struct Progress {
    var label: String
    var total: Int

    func update(_ done: Int) {
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total)".utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
