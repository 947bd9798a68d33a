"""kadmin: declarative cluster administration for Apache Kafka."""

__version__ = "0.1.0"
