/// The page a list RPC was asked for, checked the same way for every list
/// method: at most `size` rows (1...1000; 100 when `max_results` is unset),
/// after the row the caller's `page_token` names (the first page when empty).
public struct PageRequest<Cursor: PageCursor>: Sendable {
    public static var defaultSize: Int { 100 }
    public static var maximumSize: Int { 1000 }

    public var size: Int
    /// Where the previous page ended; nil for the first page.
    public var after: Cursor?
    /// What the cursor's tokens are bound to (a search's order, say).
    public var context: Cursor.Context

    /// `max_results` as a wrapper (`mlops.v1.Int32Value`): unset is the
    /// default, and 0 is refused (MLflow's 0 returns an empty page whose
    /// token leads back to itself).
    public init(maxResults: Int32?, pageToken: String, context: Cursor.Context) throws(RPCError) {
        let requested = maxResults ?? Int32(Self.defaultSize)
        guard (1...Int32(Self.maximumSize)).contains(requested) else {
            throw RPCError(
                code: .invalidArgument,
                message: "Invalid value \(requested) for max_results: it must be between 1 and \(Self.maximumSize)."
            )
        }
        size = Int(requested)
        self.context = context
        guard !pageToken.isEmpty else { return }
        guard let after = Cursor(token: pageToken, context: context) else {
            throw RPCError(
                code: .invalidArgument,
                message: "Invalid page_token '\(pageToken.prefix(64))': it was not made by this listing."
            )
        }
        self.after = after
    }

    /// `max_results` as a plain proto3 `int32`, where unset reads as 0: 0 is the default.
    public init(maxResults: Int32, pageToken: String, context: Cursor.Context) throws(RPCError) {
        try self.init(maxResults: maxResults == 0 ? nil : maxResults, pageToken: pageToken, context: context)
    }

    /// How many rows to fetch: one more than the page, to tell whether another follows.
    public var fetchLimit: Int { size + 1 }

    /// The page out of rows fetched with `fetchLimit`, and the token of the
    /// next ("" when this is the last).
    public func page<Item>(_ fetched: [Item], cursor: (Item) -> Cursor) -> Page<Item> {
        guard fetched.count > size, let last = fetched.prefix(size).last else {
            return Page(items: fetched, nextPageToken: "")
        }
        return Page(items: Array(fetched.prefix(size)), nextPageToken: cursor(last).token(context: context))
    }
}

extension PageRequest where Cursor.Context == Void {
    public init(maxResults: Int32?, pageToken: String) throws(RPCError) {
        try self.init(maxResults: maxResults, pageToken: pageToken, context: ())
    }

    public init(maxResults: Int32, pageToken: String) throws(RPCError) {
        try self.init(maxResults: maxResults, pageToken: pageToken, context: ())
    }
}

/// One page of a listing, and the token of the next ("" on the last page).
public struct Page<Item> {
    public var items: [Item]
    public var nextPageToken: String

    public init(items: [Item], nextPageToken: String) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

extension Page: Sendable where Item: Sendable {}

/// Where a page ended, as an opaque token the caller hands back.
public protocol PageCursor: Sendable {
    /// What tokens are bound to, if anything: a token is only good for the
    /// listing that made it.
    associatedtype Context: Sendable = Void

    /// nil for a token this listing did not make.
    init?(token: String, context: Context)
    func token(context: Context) -> String
}
