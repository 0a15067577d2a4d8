#include "CVendor.h"
#include "shared.h"

int vendor_offset(void) { return SHARED_VALUE - 42; }
