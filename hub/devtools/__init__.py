"""Development tools, apart from the runtime: the project's own Kafka (from the jars) and
PostgreSQL (from Debian's binaries), free ports, the demo, the synthetic workload, the
benchmark and reading topics back. The hub itself (`hub run`, the console) never imports
them, except `hub run` starting the local broker in development."""
