/// Runs `body`, then `stop`, whether `body` returns or throws: a started
/// service is stopped however its test ends.
package func stopping(_ stop: () async -> Void, after body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await stop()
        throw error
    }
    await stop()
}
