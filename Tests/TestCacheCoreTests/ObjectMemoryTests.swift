import Foundation
import Testing
@testable import TestCacheCore
import TestCacheStore
import _TestSupport

/// What `watch` remembers of object files between runs: an object is read again whenever its status
/// changed, and one changed just before a run is never remembered. What the store keeps for the next
/// process: a reading of the same bytes by the same build of the tool, and nothing else.
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

    /// Two programs linked here with build IDs of their own, standing for two builds of the tool.
    private func builds() throws -> [String] {
        try ["0xa1a1a1a1", "0xb2b2b2b2"].map { id in
            let program = directory + "/tool-\(id)"
            let source = directory + "/tool.c"
            try Data("int main(void) { return 0; }\n".utf8).write(to: URL(fileURLWithPath: source))
            let linked = try runProgram("/usr/bin/env", ["clang", source, "-o", program, "-Wl,--build-id=\(id)"])
            #expect(linked.status == 0, "clang: \(linked.stderr)")
            #expect(ToolchainRuntime.buildID(ofFileAt: program) == String(id.dropFirst(2)))
            return program
        }
    }

    /// Writes `text` as an object at `name` and gives its path and a time after it settled.
    private func object(_ name: String, _ text: String) throws -> (path: String, now: Int64) {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, try settled(path))
    }

    @Test func aReadingIsKeptInTheStoreForTheNextProcessByTheObjectsBytesAndTheToolsBuild() throws {
        let builds = try builds()
        let store = ResultStore(directory: directory + "/store")
        let salt = KeySalt(toolVersion: "test")
        func process(_ build: String? = nil) -> ObjectMemory { ObjectMemory(store: store, executable: build ?? builds[0], salt: salt) }
        var reads = 0
        let a = try object("A.o", "alpha")
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(reads == 1)
        // Another process, and the same bytes at another path (another checkout of the package): kept.
        let copy = try object("Copy.o", "alpha")
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(text(process(), copy.path, now: copy.now, reads: &reads) == "alpha")
        #expect(reads == 1)
        // Other bytes: read. Another build of the tool (whose rules may differ): read.
        let b = try object("B.o", "beta")
        #expect(text(process(), b.path, now: b.now, reads: &reads) == "beta")
        #expect(text(process(builds[1]), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(reads == 3)
        // A tool without a build ID keeps nothing: nothing would tell its rules from another build's.
        let text = try object("tool.txt", "not a program")
        #expect(self.text(process(text.path), b.path, now: b.now, reads: &reads) == "beta")
        #expect(self.text(process(text.path), b.path, now: b.now, reads: &reads) == "beta")
        #expect(reads == 5)
    }

    @Test func aBrokenKeptReadingIsReadAgainAndKeptAnew() throws {
        let build = try builds()[0]
        let storePath = directory + "/store"
        let store = ResultStore(directory: storePath)
        let salt = KeySalt(toolVersion: "test")
        func process() -> ObjectMemory { ObjectMemory(store: store, executable: build, salt: salt) }
        var reads = 0
        let a = try object("A.o", "alpha")
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        // A well-formed entry whose archive does not read back (cut short), under the reading's key.
        let key = try #require(process().key(ObjectMemory.wholeKind, Array("alpha".utf8)))
        let kept = try #require(store.output(for: key).value).bytes
        store.put(key, Array(kept.dropLast()))
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(reads == 2)
        // Stored anew: the next process finds it.
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(reads == 2)
        // Every file of the store overwritten with garbage: the store's own checks make it a miss.
        let files = try #require(FileManager.default.enumerator(atPath: storePath)).compactMap { $0 as? String }
        var overwritten = 0
        for file in files where FileSystem.status(following: storePath + "/" + file)?.isDirectory == false {
            try Data("garbage".utf8).write(to: URL(fileURLWithPath: storePath + "/" + file))
            overwritten += 1
        }
        #expect(overwritten >= 2, "an entry and an output")
        #expect(text(process(), a.path, now: a.now, reads: &reads) == "alpha")
        #expect(reads == 3)
    }
}
