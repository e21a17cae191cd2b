package import NIOCore

/// What the frame decoder hands up the pipeline.
package enum InboundFrame: Sendable, Equatable {
    case frame(Frame)
    /// A frame announced a payload above the limit. Its bytes are skipped as
    /// they arrive, never buffered; the stream gets RESOURCE_EXHAUSTED and the
    /// connection lives on.
    case oversized(kind: Frame.Kind, streamID: UInt32, length: UInt32)
}

/// A frame the protocol cannot make sense of; the connection must close.
package struct FrameProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// Splits the plaintext byte stream into frames. Checks the announced length
/// against the limit as soon as the 10-byte header is in, before buffering
/// anything of the payload.
package struct FrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = InboundFrame

    package let maximumPayloadSize: Int
    /// Bytes of an oversized frame still to skip.
    private var skipping = 0

    package init(maximumPayloadSize: Int) {
        self.maximumPayloadSize = maximumPayloadSize
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if skipping > 0 {
            let skipped = min(skipping, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            skipping -= skipped
            return skipping == 0 ? .continue : .needMoreData
        }
        let start = buffer.readerIndex
        guard buffer.readableBytes >= Frame.headerSize,
            let length = buffer.getInteger(at: start, as: UInt32.self),
            let kindByte = buffer.getInteger(at: start + 4, as: UInt8.self),
            let flags = buffer.getInteger(at: start + 5, as: UInt8.self),
            let streamID = buffer.getInteger(at: start + 6, as: UInt32.self)
        else {
            return .needMoreData
        }
        guard let kind = Frame.Kind(rawValue: kindByte) else {
            throw FrameProtocolError(message: "unknown frame kind \(kindByte)")
        }
        if Int(length) > maximumPayloadSize {
            buffer.moveReaderIndex(forwardBy: Frame.headerSize)
            skipping = Int(length)
            context.fireChannelRead(wrapInboundOut(.oversized(kind: kind, streamID: streamID, length: length)))
            return .continue
        }
        guard buffer.readableBytes >= Frame.headerSize + Int(length) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        let payload = buffer.readSlice(length: Int(length))!
        let frame = Frame(kind: kind, flags: Frame.Flags(rawValue: flags), streamID: streamID, payload: payload)
        context.fireChannelRead(wrapInboundOut(.frame(frame)))
        return .continue
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
