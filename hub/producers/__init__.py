"""Publishing to Kafka: the client senders use, and (issue 4) the outbox relay."""
