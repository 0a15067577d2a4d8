import Gauge
import Synchronization
import Testing

@Test func warnsWhenHigh() {
    if isHigh(12) {
        Issue.record("reading 12 is high", severity: .warning)
    }
}

@Test func seesTheWarningsItHandles() async {
    let warnings = Mutex(0)
    let handler = IssueHandlingTrait.compactMapIssues { issue in
        if issue.severity == .warning { warnings.withLock { $0 += 1 } }
        return nil
    }
    await #expect(throws: Never.self) {
        try await handler.provideScope(for: Test.current!, testCase: Test.Case.current) {
            if isHigh(12) { Issue.record("reading 12 is high", severity: .warning) }
        }
    }
    #expect(warnings.withLock { $0 } == 1)
}
