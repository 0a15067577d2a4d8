import P1
import Testing

@Test func t2() {}
