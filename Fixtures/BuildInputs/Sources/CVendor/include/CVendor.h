// Declares what vendor/lib/libvendor.a defines; the library is found through the target's -L flag.
int vendor_value(void);
// SHARED_VALUE (include/shared.h) less 42: what the shared header adds to VendorTool's answer.
int vendor_offset(void);
