int c_value(void);
