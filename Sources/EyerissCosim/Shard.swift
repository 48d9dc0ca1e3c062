import Foundation

/// Which part of a suite one machine runs: `--shard I/N` takes every N-th case starting at
/// the I-th (I from 1), so N machines with I = 1 ... N run every case exactly once.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let all = Shard(uncheckedIndex: 1, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(index: Int, count: Int) throws {
        let text = "\(index)/\(count)"
        guard count >= 1 else { throw RegressionError("shard \(text): N must be at least 1") }
        guard (1...count).contains(index) else {
            throw RegressionError("shard \(text): I must be in 1...\(count) (shards are numbered from 1)")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses "I/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1] else {
            throw RegressionError("shard \(text): expected I/N, e.g. 2/4 for the second of four shards")
        }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The elements at positions `index - 1`, `index - 1 + count`, ... of `all`.
    public func select<T>(_ all: [T]) -> [T] {
        stride(from: index - 1, to: all.count, by: count).map { all[$0] }
    }
}
