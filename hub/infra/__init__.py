"""Local infrastructure the project starts by itself: Kafka from its jars, PostgreSQL from
Debian's binaries. Used by `hub kafka`, the demo and the test fixtures."""
