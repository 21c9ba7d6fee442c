"""The hub's use cases, called alike by the consumer, the scheduler, the console and the
command line; each runs in the caller's transaction or opens its own."""
