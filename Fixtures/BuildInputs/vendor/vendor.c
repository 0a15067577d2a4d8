// The source of a vendored prebuilt library: the tests compile it into vendor/lib/libvendor.a, which
// CVendor links through `-Lvendor/lib` (a prebuilt binary is not kept in the repository).
int vendor_value(void) { return 42; }
