import Foundation
import Testing
@testable import TestCacheCore
import TestCacheStore

/// What `watch` remembers of object files between runs: an object is read again whenever its status
/// changed, and one changed just before a run is never remembered.
@Suite struct ObjectMemoryTests {
    let directory = NSTemporaryDirectory() + "testcache-objects-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Reads `path` through `memory` as its text, counting the reads of its bytes.
    private func text(_ memory: ObjectMemory, _ path: String, now: Int64, reads: inout Int) -> String {
        memory.reading(at: path, now: now) { bytes in
            reads += 1
            return ObjectReading(digest: bytes.map { String(decoding: $0, as: UTF8.self) } ?? "missing")
        }.digest
    }

    /// A time well after the file's last change: it has settled.
    private func settled(_ path: String) throws -> Int64 {
        let status = try #require(FileSystem.status(following: path))
        return max(status.modified, status.changed) + 2 * InputHasher.racyWindow
    }

    @Test func anUnchangedObjectIsReadOnceAndAReplacedOneAgain() throws {
        let path = directory + "/A.o"
        try Data("one".utf8).write(to: URL(fileURLWithPath: path))
        let memory = ObjectMemory()
        var reads = 0
        let now = try settled(path)
        #expect(text(memory, path, now: now, reads: &reads) == "one")
        #expect(text(memory, path, now: now, reads: &reads) == "one")
        #expect(reads == 1)
        // File times are as fine as the kernel's tick (at most 10 ms): each write below is in a later one,
        // as every write after a run that remembered is (it came at least the racy window later).
        usleep(50_000)
        // The same size, written at once, as a linker replaces its output: another status, read again.
        try Data("two".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        #expect(text(memory, path, now: try settled(path), reads: &reads) == "two")
        #expect(reads == 2)
        usleep(50_000)
        // Rewritten in place, the same inode and size.
        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).write(contentsOf: Data("six".utf8))
        #expect(text(memory, path, now: try settled(path), reads: &reads) == "six")
        #expect(reads == 3)
    }

    @Test func anObjectChangedJustBeforeTheRunIsReadEachTime() throws {
        let path = directory + "/B.o"
        try Data("fresh".utf8).write(to: URL(fileURLWithPath: path))
        let status = try #require(FileSystem.status(following: path))
        let memory = ObjectMemory()
        var reads = 0
        // A run that began within the racy window of the file's last change.
        let now = status.changed + InputHasher.racyWindow / 2
        #expect(text(memory, path, now: now, reads: &reads) == "fresh")
        #expect(text(memory, path, now: now, reads: &reads) == "fresh")
        #expect(reads == 2)
    }

    @Test func aMissingObjectIsReadAsNothingAndNotRemembered() throws {
        let memory = ObjectMemory()
        var reads = 0
        #expect(text(memory, directory + "/missing.o", now: .max / 2, reads: &reads) == "missing")
        #expect(text(memory, directory + "/missing.o", now: .max / 2, reads: &reads) == "missing")
        #expect(reads == 2)
    }
}
