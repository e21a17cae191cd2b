/// Tags come out of SQL as one text array of keys and values in turn,
/// `{k1,v1,k2,v2}`, ordered by key: read by the array parser every row
/// already uses, where a JSON object cost a `JSONDecoder` per row.
enum TagPairs {
    /// The tags of the rows of `table` (with `key` and `value` columns,
    /// aliased `t`) that match `condition`.
    static func select(from table: String, where condition: String) -> String {
        """
        ARRAY(SELECT kv.item FROM \(table) t, unnest(ARRAY[t.key, t.value]) WITH ORDINALITY AS kv(item, n)
              WHERE \(condition) ORDER BY t.key, kv.n)
        """
    }

    static func dictionary(_ pairs: [String]) -> [String: String] {
        var tags: [String: String] = [:]
        tags.reserveCapacity(pairs.count / 2)
        var index = pairs.startIndex
        while index + 1 < pairs.endIndex {
            tags[pairs[index]] = pairs[index + 1]
            index += 2
        }
        return tags
    }
}
