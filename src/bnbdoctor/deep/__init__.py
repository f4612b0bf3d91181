"""`check --deep`: a real 4-bit quantize -> matmul -> compare, run by bitsandbytes in a child process."""
