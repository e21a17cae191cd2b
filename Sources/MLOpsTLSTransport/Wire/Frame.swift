import MLOpsRPC
package import NIOCore

/// One frame of the wire protocol (docs/protocol.md):
///
///     offset 0  uint32 BE  payload length (not counting these 10 bytes)
///     offset 4  uint8      kind
///     offset 5  uint8      flags
///     offset 6  uint32 BE  stream id (0 for the connection itself)
///     offset 10 payload
package struct Frame: Sendable, Equatable {
    package enum Kind: UInt8, Sendable {
        /// Client → server: opens a stream. Payload: uint32 BE header length,
        /// `RequestHeader`, then the request message.
        case request = 1
        /// Server → client: one response message.
        case message = 2
        /// Server → client: ends the stream. Payload: `Status`.
        case status = 3
        /// Client → server: the caller gave up on the stream. Empty payload.
        case cancel = 4
        /// Either way, stream 0: no new streams after `last_stream_id`. Payload: `GoAway`.
        case goAway = 5
        /// Either way, stream 0: 8 opaque bytes, answered with the ACK flag set.
        case ping = 6
    }

    package struct Flags: OptionSet, Sendable {
        package let rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        /// On `ping`: this is the answer.
        package static let ack = Flags(rawValue: 0x01)
    }

    package static let headerSize = 10

    package var kind: Kind
    package var flags: Flags
    package var streamID: UInt32
    package var payload: ByteBuffer

    package init(kind: Kind, flags: Flags = [], streamID: UInt32, payload: ByteBuffer) {
        self.kind = kind
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }
}

extension ByteBuffer {
    /// Appends a frame whose payload is written by `writePayload`, then fills in its length.
    @discardableResult
    package mutating func writeFrame(
        kind: Frame.Kind,
        flags: Frame.Flags = [],
        streamID: UInt32,
        payload writePayload: (inout ByteBuffer) throws -> Void
    ) rethrows -> Int {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(kind.rawValue)
        writeInteger(flags.rawValue)
        writeInteger(streamID)
        try writePayload(&self)
        let length = writerIndex - start - Frame.headerSize
        setInteger(UInt32(length), at: start)
        return writerIndex - start
    }

    /// Appends a frame with an empty payload.
    package mutating func writeFrame(kind: Frame.Kind, flags: Frame.Flags = [], streamID: UInt32) {
        writeFrame(kind: kind, flags: flags, streamID: streamID) { _ in }
    }

    /// The answer to a `ping`: the same 8 bytes with the ACK flag.
    package mutating func writePingAck(for ping: Frame) {
        writeFrame(Frame(kind: .ping, flags: .ack, streamID: 0, payload: ping.payload))
    }

    package mutating func writeFrame(_ frame: Frame) {
        var payload = frame.payload
        writeFrame(kind: frame.kind, flags: frame.flags, streamID: frame.streamID) { $0.writeBuffer(&payload) }
    }
}
