"""One module per command: each takes plain options and returns data for a reporter; the CLI only wires them."""
