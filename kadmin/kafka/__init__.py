"""The seam to Kafka: `port` declares it; the other modules are its only implementation.

Only this package imports confluent_kafka (and kafka-python, for KIP-455 reassignments).
"""
