"""The hub's Kafka clients: how each connects (hub.kafka.connection) and the topics it makes
(hub.kafka.topics)."""
