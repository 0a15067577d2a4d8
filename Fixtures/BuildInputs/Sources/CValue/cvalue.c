#include "CValue.h"
#include "shared.h"

int c_value(void) { return SHARED_VALUE; }
