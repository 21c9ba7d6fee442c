"""The protocol's rules, one module per part of it. Each handler is a pure function of the
child's state, the event or timer, the directory and `at`, and returns an Outcome."""
