"""Round-robin and collective queues: the hosts of a team meeting type."""
