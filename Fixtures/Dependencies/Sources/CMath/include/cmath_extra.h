#define SCALE 3

int scaled(int value);
