import Foundation
import MLOpsMessages

// Writes one Swift file per proto file into the sources folder, the
// edge-value samples of every message for the tests, the typed clients and
// the server protocols. Run through scripts/generate-messages.sh, never by hand.
guard CommandLine.arguments.count == 5 else {
    FileHandle.standardError.write(
        Data(
            "usage: MessageGenerator <sources folder> <test samples file> <clients file> <service protocols file>\n"
                .utf8
        )
    )
    exit(2)
}
let outputFolder = URL(fileURLWithPath: CommandLine.arguments[1], isDirectory: true)
let files = ProtoCatalog.files
let naming = SwiftNaming(files: files)
do {
    for file in files {
        let source = try SwiftFileWriter(file: file, naming: naming).render()
        let name = SwiftNaming.fileName(forProto: file.path)
        try source.write(to: outputFolder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let samples = try SampleWriter(files: files, naming: naming).render()
    try samples.write(toFile: CommandLine.arguments[2], atomically: true, encoding: .utf8)
    try ClientWriter(files: files).render().write(toFile: CommandLine.arguments[3], atomically: true, encoding: .utf8)
    try ServiceProtocolWriter(files: files).render()
        .write(toFile: CommandLine.arguments[4], atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("MessageGenerator: \(error)\n".utf8))
    exit(1)
}
