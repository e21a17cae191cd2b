import MLOpsRPC

#if canImport(Glibc)
    import Glibc
#endif

/// glibc keeps what a burst of connections freed (TLS buffers, channels) in
/// its arenas for reuse, and a flood left a service 60 MB or more above its
/// baseline for good. When the connections are mostly gone again, the
/// server hands that memory back to the system.
struct FreedMemory {
    /// How far the connection count must fall from its peak since the last
    /// release before the memory is worth returning again: a burst of a
    /// thousand goodbyes releases about fifteen times, a quiet server never.
    static let minimumDrop = 64

    private var peak = 0

    /// Records the connection count; true when it has fallen far enough
    /// from its peak since the last release that one is worth doing now.
    mutating func shouldRelease(connections: Int) -> Bool {
        peak = max(peak, connections)
        guard peak - connections >= Self.minimumDrop else { return false }
        peak = connections
        return true
    }

    /// Returns free heap memory to the system (a few milliseconds at most).
    static func release() {
        #if canImport(Glibc)
            _ = mallocTrim?(0)
        #endif
    }

    #if canImport(Glibc)
        /// glibc's `malloc_trim`, which the Glibc module does not export
        /// (it is in <malloc.h>); looked up once. RTLD_DEFAULT is a null handle.
        private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
            guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        }()
    #endif
}
