"""Missing Children Integration Hub."""
