import Testing
@testable import TestCacheCore

/// The serialized suites of a target, each one unit of the cache; a `.serialized` that names no suite
/// makes the target one unit.
@Suite struct SerializedSuitesTests {
    @Test func aSerializedSuiteIsFoundWithItsName() {
        let suites = SerializedSuites(sources: [
            ("A.swift", "@Suite(.serialized) struct Ordered {\n  @Test func a() {}\n}\n"),
            ("B.swift", "@Suite(\"readpassphrase Tests\", .serialized)\nfinal class Passphrase {}\n"),
            ("C.swift", "@Suite(.tags(.slow), .serialized) @MainActor public extension Outer.Inner {}\n"),
            ("D.swift", "@Suite struct Loose { @Test(.serialized, arguments: [1, 2]) func p(n: Int) {} }\n"),
        ])
        #expect(suites.names == ["Ordered", "Passphrase", "Inner"])
        #expect(suites.unattributed == nil)
    }

    @Test func aTestIsInTheOutermostSerializedSuiteItsIDNames() {
        let suites = SerializedSuites(sources: [("A.swift", "@Suite(.serialized) struct Ordered {}\n@Suite(.serialized) struct Inner {}")])
        #expect(suites.suite(of: "M.Ordered/first()") == "Ordered")
        #expect(suites.suite(of: "M.Ordered/Inner/deep()") == "Ordered")
        #expect(suites.suite(of: "M.Other/Inner/deep()") == "Inner")
        #expect(suites.suite(of: "M.Other/loose()") == nil)
        #expect(suites.suite(of: "M.free()") == nil)
    }

    @Test func oneTestOfASerializedSuiteToRunRunsItWhole() {
        let suites = SerializedSuites(sources: [("A.swift", "@Suite(.serialized) struct Ordered {}\n")])
        let ids = ["M.Ordered/first()", "M.Ordered/second()", "M.Loose/alone()"]
        #expect(suites.wholeSuites(of: ["M.Ordered/second()"], among: ids) == ["M.Ordered/first()", "M.Ordered/second()"])
        #expect(suites.wholeSuites(of: ["M.Loose/alone()"], among: ids).isEmpty)
    }

    @Test func aSerializedThatNamesNoSuiteIsUnattributed() {
        // A trait kept in a variable, a comment: the suite it serializes is not known.
        let variable = SerializedSuites(sources: [("A.swift", "let traits: [any SuiteTrait] = [.serialized]\n")])
        #expect(variable.unattributed == "A.swift:1")
        let comment = SerializedSuites(sources: [("A.swift", "import Testing\n// uses .serialized below\n@Suite struct S {}\n")])
        #expect(comment.unattributed == "A.swift:2")
        let noDeclaration = SerializedSuites(sources: [("A.swift", "@Suite(.serialized) func notAType() {}\n")])
        #expect(noDeclaration.unattributed == "A.swift:1")
    }
}
