"""The pure core: desired state + observed state -> a typed plan. No I/O here."""
