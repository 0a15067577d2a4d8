import Reach
import Testing

@Test func findsHiddenByName() {
    // `Reach.Hidden`, mangled: found through the library's type and conformance records.
    let type = _typeByName("5Reach6HiddenV") as? any Named.Type
    #expect(type?.init().name == "hidden")
}
