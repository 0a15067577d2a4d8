import Testing
@testable import TestCacheCore

/// Which test a symbol of a test target belongs to, from its demangled name; every doubt is shared.
@Suite struct TestOwnershipTests {
    let tests = ["M.ArithmeticTests/testAdd", "M.Shapes/area(side:)", "M.Shapes/area(width:height:)", "M.free()", "M.Outer/Inner/deep(_:)"]

    @Test func testIDsAreReadAsTypeNameAndLabels() throws {
        let xctest = try #require(TestOwnership.Name(testID: "M.ArithmeticTests/testAdd"))
        #expect(xctest.context == "M.ArithmeticTests" && xctest.base == "testAdd" && xctest.labels.isEmpty)
        let nested = try #require(TestOwnership.Name(testID: "M.Outer/Inner/deep(_:x:)"))
        #expect(nested.context == "M.Outer.Inner" && nested.base == "deep" && nested.labels == ["_", "x"])
        let free = try #require(TestOwnership.Name(testID: "M.free()"))
        #expect(free.context == "M" && free.base == "free" && free.labels.isEmpty)
    }

    @Test func aFunctionAndWhatIsNestedInItBelongToItsTest() {
        let ownership = TestOwnership(tests: tests, sources: [])
        #expect(ownership.owner(ofDemangled: "M.ArithmeticTests.testAdd() -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "closure #1 () -> () in M.ArithmeticTests.testAdd() -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "(1) suspend resume partial function for M.ArithmeticTests.testAdd() async throws -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "M.free() -> ()") == 3)
        #expect(ownership.owner(ofDemangled: "M.Outer.Inner.deep(Swift.Int) -> ()") == 4)
        // Another function whose name starts the same, or a method of another type: shared.
        #expect(ownership.owner(ofDemangled: "M.ArithmeticTests.testAddMore() -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "M.Other.testAdd() -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "M.XArithmeticTests.testAdd() -> ()") == nil)
        // An overload with other labels is another function: shared.
        #expect(ownership.owner(ofDemangled: "M.ArithmeticTests.testAdd(Swift.Int) -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "M.Outer.Inner.deep(x: Swift.Int) -> ()") == nil)
    }

    @Test func aNameOfTwoTestsIsShared() {
        let ownership = TestOwnership(tests: tests, sources: [])
        #expect(ownership.owner(ofDemangled: "closure #1 (M.free() -> ()) in M.ArithmeticTests.testAdd() -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "closure #1 (M.free() -> ()) in M.free() -> ()") == 3)
        // A word joined to another (`<`, `.`) is not the test's name.
        #expect(ownership.owner(ofDemangled: "generic specialization <M.free()> of M.helper() -> ()") == nil)
    }

    @Test func aRawIdentifiersTestIsFoundThroughItsSpaces() {
        // `func \`adds two\`()` demangles as M.Suite.`adds two`() (checked with `swift demangle`).
        let ownership = TestOwnership(tests: ["M.Suite/`adds two`()", "M.Suite/other()"], sources: [])
        #expect(ownership.owner(ofDemangled: "M.Suite.`adds two`() -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "closure #1 () -> () in M.Suite.`adds two`() -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "M.Suite.`adds two`(x: Swift.Int) -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "closure #1 () -> () in M.Suite.other() -> ()") == 1)
    }

    @Test func aMethodListedForASubclassTooOwnsNothing() {
        let ownership = TestOwnership(tests: ["M.BaseTests/testValue", "M.OtherTests/testValue"], sources: [])
        #expect(ownership.owner(ofDemangled: "M.BaseTests.testValue() -> ()") == nil)
    }

    @Test func swiftTestingsTestsOfOneBaseNameInTwoSuitesOwnTheirOwn() {
        let tests = ["M.LocalTests/errors()", "M.GlobalTests/errors()"]
        let declared = "struct LocalTests { @Test func errors() {} }\nstruct GlobalTests { @Test func errors() {} }\n"
        let ownership = TestOwnership(tests: tests, sources: [declared])
        #expect(ownership.owner(ofDemangled: "M.LocalTests.errors() -> ()") == 0)
        #expect(ownership.owner(ofDemangled: "closure #1 () -> () in M.GlobalTests.errors() -> ()") == 1)
        // A third mention may call either: both are shared.
        let called = TestOwnership(tests: tests, sources: [declared + "func helper() { GlobalTests().errors() }\n"])
        #expect(called.owner(ofDemangled: "M.LocalTests.errors() -> ()") == nil)
        #expect(called.owner(ofDemangled: "M.GlobalTests.errors() -> ()") == nil)
        // An XCTest of that base name beside them may be one inherited method: none owns.
        let mixed = TestOwnership(tests: tests + ["M.OtherTests/errors"], sources: [declared + "class OtherTests { func errors() {} }\n"])
        #expect(mixed.owner(ofDemangled: "M.LocalTests.errors() -> ()") == nil)
    }

    @Test func twoTestsWithOneBaseNameOwnNothing() {
        let ownership = TestOwnership(tests: tests, sources: [])
        #expect(ownership.owner(ofDemangled: "M.Shapes.area(side: Swift.Int) -> ()") == nil)
        #expect(ownership.owner(ofDemangled: "M.Shapes.area(width: Swift.Int, height: Swift.Int) -> ()") == nil)
    }

    @Test func aTestNamedElsewhereInTheSourcesOwnsNothing() {
        let called = TestOwnership(tests: tests, sources: ["func testAdd() {}\nfunc helper() { testAdd() }\n"])
        #expect(called.owner(ofDemangled: "M.ArithmeticTests.testAdd() -> ()") == nil)
        let declared = TestOwnership(tests: tests, sources: ["func testAdd() {}\nfunc testAddition() {}\n"])
        #expect(declared.owner(ofDemangled: "M.ArithmeticTests.testAdd() -> ()") == 0)
    }

    @Test func anOverrideOrAProtocolsWitnessOwnsNothing() {
        // A base class's code (in a library) calls an overriding test through the vtable, and a protocol
        // extension's calls a witnessed one through the witness table: neither names it here.
        let overriding = TestOwnership(tests: tests, sources: ["class A: Base {\n  public override final func testAdd() {}\n}"])
        #expect(overriding.owner(ofDemangled: "M.ArithmeticTests.testAdd() -> ()") == nil)
        #expect(overriding.owner(ofDemangled: "M.free() -> ()") == 3)
        #expect(TestOwnership.overriddenFunctions(in: ["override func setUp() {}", "override var x: Int { 1 }", "override init() {}"]) == ["setUp"])
        let witnessed = TestOwnership(tests: tests, sources: [], symbols: ["protocol witness for Lib.RoundTrips.testAdd() -> () in conformance M.ArithmeticTests : Lib.RoundTrips in M"])
        #expect(witnessed.owner(ofDemangled: "M.ArithmeticTests.testAdd() -> ()") == nil)
        #expect(witnessed.owner(ofDemangled: "M.free() -> ()") == 3)
    }

    @Test func whatATestingLibraryRunsWithoutAPointerIsRunByItsTestsOnly() throws {
        let tests = ["M.ATests/testSame", "M.BTests/testSame", "M.ATests/testOther", "M.Suite/check(x:)", "M.Suite/check(y:)"]
        let ownership = TestOwnership(tests: tests, sources: [])
        // Mangled names of these shapes (each checked with `swift demangle`), read by the runtime's demangler.
        #expect(ownership.runners(ofSymbol: "$s1M6ATestsC8testSameyyF") == [0])
        #expect(ownership.runners(ofSymbol: "$s1M6BTestsC8testSameyyF") == [1])
        #expect(ownership.runners(ofSymbol: "$s1M6ATestsCMa") == [0, 2])
        #expect(ownership.runners(ofSymbol: "$s1M6BTestsCMn") == [1])
        #expect(Set(ownership.runners(ofSymbol: "$s1M5SuiteV5check1xySi_tF")) == [3, 4])
        #expect(ownership.runners(ofSymbol: "$s1M5SuiteVMa").isEmpty, "a Swift Testing suite is made by its records' code")
        #expect(ownership.runners(ofSymbol: "$s1M6ATestsC6helperyyF").isEmpty)
    }

    @Test func parameterListsAreReadWithNestedTypes() {
        #expect(TestOwnership.labels("x: [Swift.Int: (Swift.String, Swift.Int)], _: Swift.Int) -> ()") == ["x", "_"])
        #expect(TestOwnership.labels("Swift.Int, y: Swift.Array<Swift.Int>) async throws -> ()") == ["_", "y"])
        #expect(TestOwnership.labels(") -> ()") == [])
        #expect(TestOwnership.labels("x: Swift.Int") == nil)
    }

    @Test func macroExpansionsBelongToTheTestTheyExpand() throws {
        let ownership = TestOwnership(tests: ["TestCacheCoreTests.EngineTests/aFullHitBuildsAndRunsNothing()"], sources: [])
        // A symbol of Swift Testing's @Test expansion, demangled by the runtime's own demangler.
        let symbol = "$s18TestCacheCoreTests06EngineD0V28aFullHitBuildsAndRunsNothing0A0fMp_25generator7083d0208e8342defMu_"
        let demangled = try #require(Demangler.demangle(symbol))
        #expect(demangled.contains("aFullHitBuildsAndRunsNothing"))
        let generator = "static TestCacheCoreTests.EngineTests.($s18TestCacheCoreTests06EngineD0V28aFullHitBuildsAndRunsNothing0A0fMp_25generator7083d0208e8342defMu_ in _65071D682AD7C1906668354767CFCC97)@Sendable () async -> Testing.Test"
        #expect(ownership.owner(ofDemangled: generator) == 0)
        // Another test's expansion in the same suite: shared for this list.
        let other = "static TestCacheCoreTests.EngineTests.($s18TestCacheCoreTests06EngineD0V17aBuildFailsAnyway0A0fMp_25generator7083d0208e8342defMu_ in _65071D682AD7C1906668354767CFCC97)@Sendable () async -> Testing.Test"
        #expect(ownership.owner(ofDemangled: other) == nil)
    }

    @Test func mentionsInCommentsAndStringsAreNotCallsButInterpolationsAre() {
        func count(_ text: String) -> Int {
            var counts: [String: Int] = [:]
            TestOwnership.countWords(in: text, among: ["testFoo"], into: &counts)
            return counts["testFoo", default: 0]
        }
        #expect(count("func testFoo() { XCTFail(\"testFoo failed\") } // testFoo\n/* testFoo */") == 1)
        #expect(count("func testFoo() {}\nlet s = \"\\(testFoo())\"") == 2)
        #expect(count("let s = \"\"\"\n  a \\(f(\"x\")) testFoo \\(testFoo)\n\"\"\"\nfunc testFoo() {}") == 2)
        #expect(count("let s = #\"testFoo\"#") == 1)
        // A raw string's closing quote opens nothing: the call after it counts.
        #expect(count("let r = #\"\\d+\"#\nfunc testFoo() {}\nfunc g() { self.testFoo() }") == 2)
        // An attribute or a macro of that name calls nothing; the same word after a space does.
        #expect(count("func testFoo() {}\nfunc f(_ g: @testFoo () -> Int) { #testFoo(1) }") == 1)
        #expect(count("func testFoo() {}\nlet x = @ testFoo") == 2)
    }
}
