import Foundation

/// The user the tests run the product's processes as, the way users and the
/// images run them: when the tests run as root, `nobody`, whom a socket
/// option or a file only root may touch stops at once. Files a process of
/// ours must read or write are handed to that user with `own(_:)`.
package enum UnprivilegedUser {
    /// `nobody` on Debian.
    package static let id: UInt32 = 65_534

    /// Whether processes drop to the user: only root can, and must.
    package static var dropsPrivileges: Bool { geteuid() == 0 }

    /// The words that start a command as the user (none when not root).
    package static var launcher: [String] {
        guard dropsPrivileges else { return [] }
        return ["/usr/bin/setpriv", "--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--"]
    }

    /// Gives `path` and everything under it to the user (when not root, the
    /// files are the user's already).
    package static func own(_ path: String) throws {
        guard dropsPrivileges else { return }
        let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        for file in [path] + files.map({ "\(path)/\($0)" }) where chown(file, id, id) != 0 {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file])
        }
    }
}
