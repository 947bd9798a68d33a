"""The seam to Kafka: `port` declares it; `confluent` is the only module that talks to a cluster."""
