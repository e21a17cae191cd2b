import Foundation
import GatePolicy
import MLOpsMessages
import MLOpsRPC
import MLOpsServiceConfiguration
import MLOpsTLSTransport
import NIOCore
import RegistryRules
import TabularText

/// What the fuzzer feeds bytes to: each takes any input without crashing,
/// and checks what must hold of whatever it accepts.
enum FuzzTarget: String, CaseIterable {
    case frameReader = "frame-reader"
    case messages
    case searchFilter = "search-filter"
    case configuration
    case csv

    func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        switch self {
        case .frameReader: Self.readFrames(bytes)
        case .messages: Self.decodeMessage(bytes)
        case .searchFilter: Self.parseFilter(bytes)
        case .configuration: Self.decodeConfiguration(bytes)
        case .csv: Self.parseCSV(bytes)
        }
    }

    /// The bytes as they may arrive: cut into reads whose sizes the first byte picks.
    private static func readFrames(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let readSize = Int(first % 32) + 1
        var reader = FrameReader(maximumPayloadSize: 1_024)
        var offset = 1
        reading: while offset < bytes.count {
            let end = min(offset + readSize, bytes.count)
            reader.append(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            do {
                while let frame = try reader.next() {
                    if case .frame(let frame) = frame {
                        precondition(frame.payload.readableBytes <= 1_024, "a frame over the limit was buffered")
                    }
                }
            } catch {
                break reading
            }
        }
    }

    /// Decodes as the message the first byte picks; what decodes must encode
    /// and decode again to the same message — or, where a double is NaN
    /// (never equal to itself), to one that encodes to the same bytes, in
    /// whatever order a map's entries come.
    private static func decodeMessage(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let type = fuzzedMessages[Int(first) % fuzzedMessages.count]
        roundTrip(type, Array(bytes.dropFirst()))
    }

    private static func roundTrip<Message: ProtobufMessage>(_: Message.Type, _ bytes: [UInt8]) {
        guard let message = try? Message(serializedBytes: bytes) else { return }
        let encoded: [UInt8]
        do {
            encoded = try message.serializedBytes()
        } catch {
            preconditionFailure("\(Message.protoName) decoded but does not encode: \(error)")
        }
        let again = try? Message(serializedBytes: encoded)
        guard again != message else { return }
        let reencoded = (try? again?.serializedBytes()) ?? []
        precondition(reencoded.sorted() == encoded.sorted(), "\(Message.protoName) changed in a round trip")
    }

    private static func parseFilter(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for subject in [SearchFilter.Subject.models, .versions] {
            _ = try? SearchFilter(parsing: text, for: subject)
        }
    }

    private static func decodeConfiguration(_ bytes: [UInt8]) {
        let data = Data(bytes)
        _ = try? ServiceSettings.decode(ServiceSettings.self, from: data)
        _ = try? ServiceSettings.decode(RegistryPolicy.self, from: data).validated()
        _ = try? ServiceSettings.decode(GateThresholds.self, from: data).validated()
    }

    private static func parseCSV(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let records = CSVRecords.parse(text)
        // Every scalar of a field came from the text.
        precondition(records.joined().map(\.unicodeScalars.count).reduce(0, +) <= text.unicodeScalars.count)
    }
}
