import Foundation
import MLOpsProcess
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    @Test func aChildHoldsNoneOfOurDescriptors() throws {
        // A socket without close-on-exec, as SwiftNIO opens them, moved above
        // the few numbers the child's own `ls` opens (else a 3 here and its
        // directory's 3 there look the same).
        let opened = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let socket = fcntl(opened, F_DUPFD, 100)
        close(opened)
        #expect(socket >= 100)
        defer { close(socket) }
        let listing = try ChildProcess.output("/bin/ls", ["/proc/self/fd"])
        let descriptors = Set(listing.split(separator: "\n").compactMap { Int($0) })
        // Its standard three, and the one ls reads the folder through.
        #expect(!descriptors.contains(Int(socket)), "the child holds \(descriptors.sorted())")
        #expect(descriptors.count <= 4, "the child holds \(descriptors.sorted())")
    }

    @Test func aChildStartsWithNoSignalBlockedWhateverItsParentsThreadBlocks() throws {
        // As on libdispatch's and NIO's threads: SIGTERM blocked.
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let status = try ChildProcess.output("/bin/grep", ["SigBlk", "/proc/self/status"])
        #expect(status.contains("0000000000000000"), "\(status)")
    }
}
