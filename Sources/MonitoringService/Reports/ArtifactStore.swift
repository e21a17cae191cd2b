package import Foundation
import MLOpsRPC

/// Where windows leave their JSON summary and HTML report: files under one
/// directory (shared by the replicas, e.g. one volume), named by refs
/// relative to it, each window's in a folder of its own.
package struct ArtifactStore: Sendable {
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    package struct Artifact: Sendable {
        package var data: Data
        package var contentType: String
    }

    /// Writes both files (each atomically) and returns their refs.
    func write(model: String, windowEnd: Int64, summary: Data, report: String) throws -> (
        summary: String, report: String
    ) {
        let stamp = Date(timeIntervalSince1970: Double(windowEnd) / 1000)
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeSeparator(.omitted))
        let folder = "\(Self.pathSafe(model))/\(stamp)-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(
            at: directory.appending(path: folder),
            withIntermediateDirectories: true
        )
        let refs = (summary: "\(folder)/summary.json", report: "\(folder)/report.html")
        try summary.write(to: directory.appending(path: refs.summary), options: .atomic)
        try Data(report.utf8).write(to: directory.appending(path: refs.report), options: .atomic)
        return refs
    }

    /// Removes a window's files, when its row was not written after all.
    func remove(_ refs: (summary: String, report: String)) {
        let folder = directory.appending(path: refs.summary).deletingLastPathComponent()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The artifact a ref names; refs outside the directory are refused.
    package func read(_ ref: String) throws -> Artifact {
        let parts = ref.split(separator: "/", omittingEmptySubsequences: false)
        guard !ref.isEmpty, !ref.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw ServiceRefusal.invalid(
                "'\(ref)' is not an artifact ref (a relative path such as model/window/report.html)"
            )
        }
        let contentType =
            switch ref.split(separator: ".").last {
            case "json": "application/json"
            case "html": "text/html; charset=utf-8"
            default: "application/octet-stream"
            }
        guard let data = FileManager.default.contents(atPath: directory.appending(path: ref).path) else {
            throw ServiceRefusal.notFound("no artifact '\(ref)'")
        }
        return Artifact(data: data, contentType: contentType)
    }

    /// A model name as one path segment: letters, digits, '.', '-' and '_' kept, the rest %-escaped.
    static func pathSafe(_ name: String) -> String {
        var safe = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                safe.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where !safe.isEmpty:
                safe += "."
            default:
                safe += String(format: "%%%02X", byte)
            }
        }
        return safe
    }
}
