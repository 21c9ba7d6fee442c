"""FastStream subscribers over the inbound topics (thin: parse, route, persist)."""
