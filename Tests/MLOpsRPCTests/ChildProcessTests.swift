import Foundation
import MLOpsProcess
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    @Test func aChildHoldsNoneOfOurDescriptors() throws {
        // A socket without close-on-exec, as SwiftNIO opens them.
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket > 2)
        defer { close(socket) }
        let listing = try ChildProcess.output("/bin/ls", ["/proc/self/fd"])
        let descriptors = Set(listing.split(separator: "\n").compactMap { Int($0) })
        // Its standard three, and the one ls reads the folder through.
        #expect(!descriptors.contains(Int(socket)), "the child holds \(descriptors.sorted())")
        #expect(descriptors.count <= 4, "the child holds \(descriptors.sorted())")
    }
}
