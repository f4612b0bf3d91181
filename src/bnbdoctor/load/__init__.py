"""The isolated real load: generate a model (`generate`), load it in a child process (`child`), plan the attempts
(`ladder`), and hold what happened as plain data (`result`). Only `child` and `generate.make_weights` import torch."""
