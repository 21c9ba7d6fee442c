"""The protocol as pure functions: events and timers in, decisions out. No I/O."""
