"""The pure planner: desired state + observed state -> a typed plan. No I/O here."""
