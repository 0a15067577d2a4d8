import Foundation
import Testing
@testable import TestCacheCore
import TestCacheStore
import _TestSupport

/// What an object read as, written for the next process and read back: the same graph, or nothing.
@Suite struct ObjectArchiveTests {
    /// An object with every kind of section a graph tells apart: code, a jump table, a class (vtable,
    /// metadata), a conformance (type and protocol references), a global, a generic.
    static let source = """
        public protocol Describing { func describe() -> String }
        public enum Outcome: Describing {
            case passed, failed, skipped, flaky, timedOut
            public func describe() -> String {
                switch self {
                case .passed: "passed"
                case .failed: "failed"
                case .skipped: "skipped"
                case .flaky: "flaky"
                case .timedOut: "timed out"
                }
            }
        }
        open class Counter { public var count = 0; public init() {}; open func bump() { count += 1 } }
        public var runs = 0
        @inlinable public func clamp<T: Comparable>(_ value: T, _ low: T, _ high: T) -> T { min(max(value, low), high) }
        """

    func member() throws -> ObjectGraph.Member {
        let graph = try ObjectGraphTests().swiftGraph(Self.source)
        return ObjectGraph.Member(label: "Commands/Commands.swift.o", graph: graph, wholeDigest: "", isEntry: true)
    }

    /// Every field of two graphs, side by side (a section compares whole, so a field added to it is
    /// compared too).
    func expectSame(_ left: ObjectGraph, _ right: ObjectGraph) {
        #expect(left.alwaysCounted == right.alwaysCounted)
        #expect(left.definitions.map(\.name) == right.definitions.map(\.name))
        #expect(left.definitions.map(\.section) == right.definitions.map(\.section))
        #expect(left.sections == right.sections)
    }

    @Test func aGraphReadsBackAsItWasWritten() throws {
        let member = try member()
        let graph = try #require(member.graph)
        // The object holds what the format has to carry, or the comparison below would prove little.
        #expect(graph.sections.values.contains { !$0.conformingType.isEmpty && !$0.conformedProtocol.isEmpty })
        #expect(graph.sections.values.contains { $0.targets.contains { if case .symbol = $0 { true } else { false } } })
        #expect(Set(graph.sections.values.map(\.testRole)).count >= 3)
        var back = try #require(ObjectGraph.Member(archived: member.archived))
        #expect(back.wholeDigest == "")
        (back.label, back.isEntry) = (member.label, member.isEntry)
        expectSame(graph, try #require(back.graph))
        #expect(ObjectGraph.reachableDigests([back]).map(\.digest) == ObjectGraph.reachableDigests([member]).map(\.digest))
    }

    @Test func aCObjectWithACommonSymbolReadsBackWithIt() throws {
        let directory = try TemporaryDirectory()
        try Data("int counter;\nint api(void) { return counter; }\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/c.c"))
        let compiled = try runProgram(
            "/usr/bin/env", ["clang", "-c", "-fcommon", "-ffunction-sections", directory.path + "/c.c", "-o", directory.path + "/c.o"])
        #expect(compiled.status == 0, "clang: \(compiled.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: directory.path + "/c.o").map(Array.init))
        let graph = try #require(ObjectGraph(bytes))
        #expect(graph.alwaysCounted != nil)
        let member = ObjectGraph.Member(label: "c.o", graph: graph, wholeDigest: "", isEntry: false)
        expectSame(graph, try #require(ObjectGraph.Member(archived: member.archived)?.graph))
    }

    @Test(arguments: [0, 1, 127, 128, 300, -1, Int.min, Int.max])
    func anIntegerReadsBackAsItWasWritten(_ value: Int) throws {
        var archive = ObjectArchive()
        archive.write(value)
        var reader = try #require(ObjectArchiveReader(archive.bytes))
        #expect(reader.integer() == value)
        #expect(reader.isAtEnd)
    }

    @Test func anIntegerWithMoreThanSixtyFourBitsIsNone() throws {
        var reader = try #require(ObjectArchiveReader(ObjectArchive.header + Array(repeating: 0xFF, count: 9) + [0x02]))
        #expect(reader.integer() == nil)
    }

    @Test func anObjectThatIsNoGraphReadsBackWhole() throws {
        let member = ObjectGraph.Member(label: "C/c.o", graph: nil, wholeDigest: "whole", isEntry: false)
        let back = try #require(ObjectGraph.Member(archived: member.archived))
        #expect(back.graph == nil && back.wholeDigest == "whole")
        let reading = ObjectReading(digest: "d", typeLookup: "_typeByName")
        #expect(ObjectReading(archived: reading.archived).map { [$0.digest, $0.typeLookup] } == ["d", "_typeByName"])
        #expect(ObjectReading(archived: ObjectReading(digest: "d").archived)?.typeLookup == .some(nil))
    }

    @Test func aTruncatedLengthenedOrForeignArchiveReadsAsNothing() throws {
        let bytes = try member().archived
        // Every cut in the last bytes, and a spread of cuts before them.
        for length in Array(stride(from: 0, to: bytes.count, by: 97)) + Array(max(0, bytes.count - 64)..<bytes.count) {
            #expect(ObjectGraph.Member(archived: Array(bytes.prefix(length))) == nil, "cut at \(length) of \(bytes.count)")
        }
        #expect(ObjectGraph.Member(archived: bytes + [0]) == nil)
        var otherVersion = bytes
        otherVersion[ObjectArchive.header.count - 2] &+= 1
        #expect(ObjectGraph.Member(archived: otherVersion) == nil)
        // A list's count far past the end (no whole digest, a graph, no common symbols, then the
        // definitions' count) fails without asking for the memory.
        #expect(ObjectGraph.Member(archived: ObjectArchive.header + [0x00, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) == nil)
        // A role no number stands for.
        var archive = ObjectArchive()
        ObjectGraph.Section(label: "s", reachedOnly: false, digest: "d", targets: []).archive(into: &archive)
        var bytes2 = archive.bytes
        let role = try #require(bytes2.lastIndex(of: 0) .map { $0 - 3 })
        #expect(bytes2[role] == 0, "the root role, before three empty lists")
        bytes2[role] = 9
        var reader = try #require(ObjectArchiveReader(bytes2))
        #expect(ObjectGraph.Section(from: &reader) == nil)
    }
}
