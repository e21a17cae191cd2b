import Foundation
import MLOpsMessages

// Built with -DFUZZING (scripts/fuzz.sh), this is a libFuzzer target; the
// target comes from MLOPS_FUZZ_TARGET. Built plainly, it runs the inputs it
// is given (files, or folders of them) through a target once each: the
// tests replay the seed corpora and every crash once found that way.

#if FUZZING
    private let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["MLOPS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("MLOPS_FUZZ_TARGET is one of \(FuzzTarget.allCases.map(\.rawValue)), not '\(name)'")
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    package func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        target.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func runFuzzer(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    // SwiftPM links an executable's entry point under this name; libFuzzer's
    // driver takes over from there.
    @_cdecl("MLOpsFuzz_main")
    package func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
        var argc = argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return runFuzzer(&argc, &argv) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    enum Replay {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "--check-messages" {
                try checkMessages()
                return
            }
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                print(
                    "usage: mlops-fuzz TARGET PATH... | --check-messages (targets: \(FuzzTarget.allCases.map(\.rawValue)))"
                )
                exit(2)
            }
            var count = 0
            for path in arguments.dropFirst() {
                for file in try files(at: path) {
                    let data = try Data(contentsOf: URL(fileURLWithPath: file))
                    data.withUnsafeBytes { target.run($0) }
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs ran")
        }

        private static func files(at path: String) throws -> [String] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
            guard isFolder.boolValue else { return [path] }
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
        }

        /// Every message the protos declare (map entries aside) is fuzzed.
        private static func checkMessages() throws {
            let declared = Set(
                ProtoCatalog.files.flatMap(\.messages).map(\.fullName).filter { !$0.hasSuffix("Entry") }
            )
            let fuzzed = Set(fuzzedMessages.map { $0.protoName })
            let missing = declared.subtracting(fuzzed)
            guard missing.isEmpty else {
                print("not fuzzed: \(missing.sorted())")
                exit(1)
            }
            print("all \(declared.count) messages are fuzzed")
        }
    }
#endif
