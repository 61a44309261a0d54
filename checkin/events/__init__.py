"""Events: one gathering, its time, place and state."""
