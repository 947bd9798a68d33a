"""Local Kafka clusters for demos and tests: jars from Maven Central, KRaft nodes on 127.0.0.1."""
