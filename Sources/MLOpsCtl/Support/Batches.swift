import MLOpsMessages

/// Splits what is sent into calls of at most `count` items and at most
/// `bytes` encoded bytes each, so wide rows (a thousand features, say) never
/// make a request over the server's frame limit (4 MiB).
struct Batches<Element: ProtobufMessage>: Sequence {
    /// Well under the 4 MiB frame limit, leaving room for the envelope.
    static var defaultByteBudget: Int { 1 << 20 }

    let elements: [Element]
    var count: Int
    var bytes: Int = defaultByteBudget

    func makeIterator() -> AnyIterator<ArraySlice<Element>> {
        var start = elements.startIndex
        return AnyIterator {
            guard start < elements.endIndex else { return nil }
            var end = start
            var size = 0
            while end < elements.endIndex, end - start < count {
                // Each element's own size, plus its tag and length (at most 6 bytes).
                let elementSize = ((try? elements[end].serializedSize()) ?? 0) + 6
                if end > start, size + elementSize > bytes { break }
                size += elementSize
                end += 1
            }
            defer { start = end }
            return elements[start..<end]
        }
    }
}
