"""The services behind the commands: planning, applying, offsets, replica moves, export.

They reach a cluster only through the `kafka.port.ClusterAdmin` Protocol; they never print.
"""
