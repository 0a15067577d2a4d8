#include "cmath_extra.h"

int scaled(int value) { return value * SCALE; }
