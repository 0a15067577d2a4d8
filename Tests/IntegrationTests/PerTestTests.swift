import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Results cached per test: after a change, only the tests that can reach it run, the others are
    /// replayed. The fixture's tests write their names to a log as they run, so what really ran is seen,
    /// not only what was printed.
    @Suite struct PerTestResults {
        /// Natively; the keys are made from the same compiler's objects under Swift Build.
        @Test func aChangeRerunsTheTestsThatCanReachIt() throws {
            let fixture = try Fixture("PerTest")
            let log = fixture.temporary.path + "/ran.log"
            let everything = [
                "testAdd", "testMultiply", "testTwiceOfTwo", "testTwiceOfFive", "squareArea", "rectArea", "castArea", "intArea", "dogSound",
                "squares(2)", "squares(3)", "squares(4)", "first", "second", "apart", "DuplicateA.testSame", "DuplicateB.testSame",
                "StepTests.testStep", "StepTests.testTwice", "outcomeDescribes", "counterBumps", "clampsValues",
            ]

            /// Runs the tool; gives its result and the tests that ran, sorted.
            func run() throws -> (result: ProcessResult, ran: [String]) {
                FileManager.default.createFile(atPath: log, contents: Data())
                let result = try fixture.run("-x", environment: ["PERTEST_LOG": log, "SWIFT_TESTCACHE_DEBUG": "test"])
                let ran = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return (result, ran.split(separator: "\n").map(String.init).sorted())
            }
            /// Replaces text in a file of the package.
            func edit(_ file: String, _ old: String, _ new: String) throws {
                let text = try String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)
                #expect(text.contains(old), "\(file) holds \(old)")
                try fixture.write(file, text.replacingOccurrences(of: old, with: new))
            }

            var (result, ran) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(ran == everything.sorted(), result.transcript)
            (result, ran) = try run()
            #expect(ran.isEmpty && result.summaries.allSatisfy { $0.hasSuffix("(cached)") }, result.transcript)

            // A library function two tests reach through a shared helper and one directly: those three run
            // and fail; the fourth test of the target is replayed, as are the other targets.
            try edit("Sources/Calc/Calc.swift", "{ a + b }", "{ a + b + 1 }")
            (result, ran) = try run()
            #expect(result.status == 1, result.transcript)
            #expect(ran == ["testAdd", "testTwiceOfFive", "testTwiceOfTwo"], result.transcript)
            #expect(matches(result.summaries[0], #"FAIL\tCalcTests\t[0-9.]+s\t\(1 of 4 tests cached\)"#), result.transcript)
            #expect(result.summaries.dropFirst().allSatisfy { $0.hasSuffix("(cached)") }, result.transcript)

            // Changed so that the tests pass, and a function only testMultiply reaches broken: the four
            // run; the three that pass are stored one by one although their target failed...
            try edit("Sources/Calc/Calc.swift", "{ a + b + 1 }", "{ b + a }")
            try edit("Sources/Calc/Calc.swift", "{ a * b }", "{ a * b + 1 }")
            (result, ran) = try run()
            #expect(result.status == 1, result.transcript)
            #expect(ran == ["testAdd", "testMultiply", "testTwiceOfFive", "testTwiceOfTwo"], result.transcript)
            // ...so that fixing it runs nothing: those three replay what they stored in the failed run,
            // testMultiply what it stored in the first, for the same code it reaches now.
            try edit("Sources/Calc/Calc.swift", "{ a * b + 1 }", "{ a * b }")
            (result, ran) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(ran.isEmpty, result.transcript)
            #expect(result.summaries[0] == "ok  \tCalcTests\t(cached)", result.transcript)
            // Broken another way, then fixed: it alone runs, beside three replayed tests.
            try edit("Sources/Calc/Calc.swift", "{ a * b }", "{ a * b * 2 }")
            (result, ran) = try run()
            #expect(result.status == 1 && ran == ["testMultiply"], result.transcript)
            try edit("Sources/Calc/Calc.swift", "{ a * b * 2 }", "{ b * a }")
            (result, ran) = try run()
            #expect(result.status == 0 && ran == ["testMultiply"], result.transcript)
            #expect(matches(result.summaries[0], #"ok  \tCalcTests\t[0-9.]+s\t\(3 of 4 tests cached\)"#), result.transcript)

            // A parameterized test is one unit with all its arguments.
            try edit("Sources/Calc/Calc.swift", "{ n * n }", "{ n * n + 0 * n }")
            (result, ran) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(ran == ["squares(2)", "squares(3)", "squares(4)"], result.transcript)

            // An edit inside one test runs that test only; an edit of the helper two tests share runs both.
            try edit("Tests/CalcTests/ArithmeticTests.swift", "XCTAssertEqual(multiply(2, 3), 6)", "XCTAssertEqual(multiply(3, 2), 6)")
            (result, ran) = try run()
            #expect(ran == ["testMultiply"], result.transcript)
            try edit("Tests/CalcTests/ArithmeticTests.swift", "{ add(n, n) }", "{ add(n, n) * 3 }")
            (result, ran) = try run()
            #expect(result.status == 1, result.transcript)
            #expect(ran == ["testTwiceOfFive", "testTwiceOfTwo"], result.transcript)
            try edit("Tests/CalcTests/ArithmeticTests.swift", "{ add(n, n) * 3 }", "{ add(n, n) }")

            // A closure in a test that owns nothing (its name is another class's test's too) changes: it runs,
            // and fails, and only it (the function is a root of the test of its class and name).
            try edit("Tests/OrderedTests/OrderedTests.swift", "map { $0 * 3 }", "map { $0 * 4 }")
            (result, ran) = try run()
            #expect(result.status == 1 && ran == ["DuplicateB.testSame"], result.transcript)
            try edit("Tests/OrderedTests/OrderedTests.swift", "map { $0 * 4 }", "map { $0 * 3 }")
            // A test that is a protocol's witness, run by another test through the library's extension:
            // both run, and the other fails.
            try edit("Tests/OrderedTests/OrderedTests.swift", "XCTAssertLessThanOrEqual(steps, 2)", "XCTAssertLessThanOrEqual(steps, 1)")
            (result, ran) = try run()
            #expect(result.status == 1 && ran == ["StepTests.testStep", "StepTests.testTwice"], result.transcript)
            try edit("Tests/OrderedTests/OrderedTests.swift", "XCTAssertLessThanOrEqual(steps, 1)", "XCTAssertLessThanOrEqual(steps, 2)")

            // A serialized suite is one unit: a change only one of its tests reaches runs both, in order,
            // and not the test of its target outside it.
            try edit("Sources/Calc/Calc.swift", "{ -n }", "{ n * -1 }")
            (result, ran) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(ran == ["first", "second"], result.transcript)
            try edit("Tests/OrderedTests/OrderedTests.swift", "#expect(negate(1) == -1)", "#expect(negate(1) == -1 * 1)")
            (result, ran) = try run()
            #expect(result.status == 0 && ran == ["first", "second"], result.transcript)
            #expect(result.summaries.contains { matches($0, #"ok  \tOrderedTests\t[0-9.]+s\t\(5 of 7 tests cached\)"#) }, result.transcript)

            // A protocol witness and a vtable override: the test that takes that path runs and fails, and
            // only it (a type's methods and conformances count for the tests that can make a value of it).
            try edit("Sources/Calc/Shapes.swift", "{ side * side }", "{ side * side + 1 }")
            (result, ran) = try run()
            #expect(result.status == 1, result.transcript)
            #expect(ran == ["squareArea"] && result.summaries.contains { $0.hasPrefix("FAIL\tShapesTests\t") }, result.transcript)
            // explain --tests says why it ran: the getter it reaches changed, in its object.
            let why = try fixture.run("ShapesTests", "--tests", command: "explain").stdout
            #expect(why.contains("ShapesTests: last run one by one: 1 ran, 8 replayed"), "\(why)")
            #expect(why.contains("ShapesTests.ShapesTests/squareArea(): it reaches changed `Calc.Square.area.getter"), "\(why)")
            #expect(why.contains("in Calc/Shapes.swift.o"), "\(why)")
            // And along which calls: from the test's own function to the getter.
            #expect(why.contains("; along ShapesTests.ShapesTests.squareArea() ") && why.contains(" → Calc.Square.area.getter"), "\(why)")
            try edit("Sources/Calc/Shapes.swift", "{ side * side + 1 }", "{ side * side }")
            // A witness a cast finds at run time (`as? any Shape`), with no pointer to it in the test: the
            // conformance counts for the tests that make a value of its type.
            try edit("Sources/Calc/Shapes.swift", "{ width * height }", "{ width * height + 1 }")
            (result, ran) = try run()
            #expect(result.status == 1 && ran == ["castArea", "rectArea"], result.transcript)
            try edit("Sources/Calc/Shapes.swift", "{ width * height + 1 }", "{ width * height }")
            // Another module's type (`Int`) conforming to this one's protocol: the conformance counts for the
            // tests that ask for `Shape`, and the others stay replayed.
            try edit("Sources/Calc/Shapes.swift", "public var area: Int { self }", "public var area: Int { self + 1 }")
            (result, ran) = try run()
            #expect(result.status == 1 && ran.contains("intArea"), result.transcript)
            #expect(!ran.contains("dogSound") && !ran.contains("testAdd") && !ran.contains("first"), result.transcript)
            try edit("Sources/Calc/Shapes.swift", "public var area: Int { self + 1 }", "public var area: Int { self }")
            try edit("Sources/Calc/Shapes.swift", "{ \"woof\" }", "{ \"woof!\" }")
            (result, ran) = try run()
            #expect(result.status == 1, result.transcript)
            #expect(ran == ["dogSound"] && result.transcript.description.contains("dogSound"), result.transcript)
            try edit("Sources/Calc/Shapes.swift", "{ \"woof!\" }", "{ \"woof\" }")
            // A `switch`'s jump table beside the module's descriptor, a class's method, a generic and
            // inlinable function: each edit runs the one test that reaches it, and it fails.
            for (old, new, test) in [
                ("return \"denied\"", "return \"denied!\"", "outcomeDescribes"), ("value += 1", "value += 2", "counterBumps"),
                ("min(max(value, low), high)", "max(min(value, low), high)", "clampsValues"),
            ] {
                try edit("Sources/Calc/Codes.swift", old, new)
                (result, ran) = try run()
                #expect(result.status == 1 && ran == [test], "\(old): \(result.transcript)")
                try edit("Sources/Calc/Codes.swift", new, old)
            }
            // A class no test makes a value of: its override runs nowhere, and nothing reruns.
            try edit("Sources/Calc/Shapes.swift", "{ \"meow\" }", "{ \"meow!\" }")
            (result, ran) = try run()
            #expect(result.status == 0 && ran.isEmpty, result.transcript)

            // A new test runs alone. (Added below the others: a test's code holds its source lines, so the
            // tests below an inserted one change, and run.)
            let shapes = try String(contentsOfFile: fixture.root + "/Tests/ShapesTests/ShapesTests.swift", encoding: .utf8)
            try fixture.write("Tests/ShapesTests/ShapesTests.swift", shapes + "\nextension ShapesTests {\n    @Test func newTest() { ran(\"newTest\") }\n}\n")
            (result, ran) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(ran == ["newTest"], result.transcript)
            (result, ran) = try run()
            #expect(ran.isEmpty, result.transcript)
            // Removed, it is forgotten, and nothing else runs.
            try fixture.write("Tests/ShapesTests/ShapesTests.swift", shapes)
            (result, ran) = try run()
            #expect(result.status == 0 && ran.isEmpty, result.transcript)
            #expect(!result.transcript.description.contains("newTest"), result.transcript)
        }
    }
}

extension IntegrationTests.PerTestResults {
    /// Under Swift Build: its runner lists XCTest's classes in a new order each time it is generated,
    /// which must not tie every test to every other; what the list runs for a test still reruns it.
    @Test func underSwiftBuildTheRunnersTestListTiesNoTests() throws {
        let fixture = try Fixture("PerTest")
        let log = fixture.temporary.path + "/ran.log"
        func run() throws -> (result: ProcessResult, ran: [String]) {
            FileManager.default.createFile(atPath: log, contents: Data())
            let result = try fixture.run("--build-system", "swiftbuild", "OrderedTests", environment: ["PERTEST_LOG": log, "SWIFT_TESTCACHE_DEBUG": "test"])
            return (result, ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted())
        }
        func edit(_ old: String, _ new: String) throws {
            let file = "Tests/OrderedTests/OrderedTests.swift"
            let text = try String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)
            #expect(text.contains(old), "\(file) holds \(old)")
            try fixture.write(file, text.replacingOccurrences(of: old, with: new))
        }
        var (result, ran) = try run()
        #expect(result.status == 0 && ran.count == 7, result.transcript)
        // A closure of a test whose name another class's test has: it alone runs, and fails.
        try edit("map { $0 * 3 }", "map { $0 * 4 }")
        (result, ran) = try run()
        #expect(result.status == 1 && ran == ["DuplicateB.testSame"], result.transcript)
        // Put back (the runner is generated again, in another order): everything is replayed.
        try edit("map { $0 * 4 }", "map { $0 * 3 }")
        (result, ran) = try run()
        #expect(result.status == 0 && ran.isEmpty, result.transcript)
        // The witness another test runs through the library: both run, and that one fails.
        try edit("XCTAssertLessThanOrEqual(steps, 2)", "XCTAssertLessThanOrEqual(steps, 1)")
        (result, ran) = try run()
        #expect(result.status == 1 && ran == ["StepTests.testStep", "StepTests.testTwice"], result.transcript)
    }
}

/// Whether `line` matches the regular expression `pattern` whole.
private func matches(_ line: String, _ pattern: String) -> Bool {
    line.wholeMatch(of: try! Regex(pattern)) != nil
}
